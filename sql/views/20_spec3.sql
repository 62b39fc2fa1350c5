-- Macros of the Stage 3 spectroscopic rules.

-- NIRSpec fixed-slit optical paths that put light on a detector, as
-- (slit, grating, filter, detector); every A slit counts as 'a'.
CREATE OR REPLACE MACRO nrsfss_optical_paths() AS [
    ['a', 'prism', 'clear', 'nrs1'],
    ['a', 'g395h', 'f290lp', 'nrs1'],
    ['a', 'g395h', 'f290lp', 'nrs2'],
    ['a', 'g235h', 'f170lp', 'nrs1'],
    ['a', 'g235h', 'f170lp', 'nrs2'],
    ['a', 'g140h', 'f100lp', 'nrs1'],
    ['a', 'g140h', 'f100lp', 'nrs2'],
    ['a', 'g140h', 'f070lp', 'nrs1'],
    ['a', 'g395m', 'f290lp', 'nrs1'],
    ['a', 'g235m', 'f170lp', 'nrs1'],
    ['a', 'g140m', 'f100lp', 'nrs1'],
    ['a', 'g140m', 'f070lp', 'nrs1'],
    ['s200b1', 'prism', 'clear', 'nrs2'],
    ['s200b1', 'g395h', 'f290lp', 'nrs2'],
    ['s200b1', 'g235h', 'f170lp', 'nrs2'],
    ['s200b1', 'g140h', 'f100lp', 'nrs2'],
    ['s200b1', 'g140h', 'f070lp', 'nrs1'],
    ['s200b1', 'g140h', 'f070lp', 'nrs2'],
    ['s200b1', 'g395m', 'f290lp', 'nrs2'],
    ['s200b1', 'g235m', 'f170lp', 'nrs2'],
    ['s200b1', 'g140m', 'f100lp', 'nrs2'],
    ['s200b1', 'g140m', 'f070lp', 'nrs1'],
    ['s200b1', 'g140m', 'f070lp', 'nrs2']
];

-- A fixed-slit exposure whose slit, grating and filter can reach its
-- detector; an exposure lacking any of the four never can.
CREATE OR REPLACE MACRO nrsfss_valid_detector(fxd_slit, grating, filter, detector) AS
    coalesce(
        list_contains(
            nrsfss_optical_paths(),
            [CASE WHEN fxd_slit = 's200b1' THEN 's200b1' ELSE 'a' END, grating, filter, detector]
        ),
        false
    )
    AND fxd_slit IS NOT NULL;

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

-- Only IFU science is checked; other exposure types always pass.
CREATE OR REPLACE MACRO nrsifu_valid_detector(exp_type, grating, filter, detector) AS
    coalesce(exp_type <> 'nrs_ifu', false)
    OR coalesce(list_contains(nrsifu_optical_paths(), [grating, filter, detector]), false);

-- Target a Stage 3 member pins: 000 for a direct-image candidate; none for
-- a background exposure (the reference does not hold backgrounds to the
-- target; they join any association of their mode); else the target id.
CREATE OR REPLACE MACRO stage3_target(item_candidate, exptype, targetid) AS
    CASE
        WHEN regexp_full_match(item_candidate, '\[\(''c\d{4}'', ''direct_image''\)\]') THEN '000'
        WHEN exptype = 'background' THEN NULL
        ELSE targetid
    END;

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
