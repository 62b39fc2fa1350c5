-- Macros of the Stage 3 spectroscopic rules.

-- NIRSpec IFU optical paths that reach a detector: (grating, filter, detector).
CREATE OR REPLACE MACRO nrsifu_optical_paths() AS [
    ['prism', 'clear', 'nrs1'],
    ['g140m', 'f070lp', 'nrs1'],
    ['g140m', 'f100lp', 'nrs1'],
    ['g235m', 'f170lp', 'nrs1'],
    ['g395m', 'f290lp', 'nrs1'],
    ['g140h', 'f070lp', 'nrs1'],
    ['g140h', 'f100lp', 'nrs1'],
    ['g140h', 'f100lp', 'nrs2'],
    ['g235h', 'f170lp', 'nrs1'],
    ['g235h', 'f170lp', 'nrs2'],
    ['g395h', 'f290lp', 'nrs1'],
    ['g395h', 'f290lp', 'nrs2']
];

-- Role of an exposure in a Stage 3 association: 'science' (the group
-- shape's role for rows its keys place, backgrounds included) when it passes
-- the rule's own constraints (`rule_match`), else 'acq' for a target
-- acquisition, which joins the science of its observation.
CREATE OR REPLACE MACRO stage3_role(rule_match, exptype) AS
    CASE
        WHEN rule_match THEN 'science'
        WHEN exptype = 'target_acquisition' THEN 'acq'
    END;

-- Member exposure type in an auxiliary-data association (backgrounds
-- combined as science): science, except target acquisitions.
CREATE OR REPLACE MACRO aux_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) AS
    CASE
        WHEN exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) = 'target_acquisition'
            THEN 'target_acquisition'
        ELSE 'science'
    END;
