-- Macros of the Stage 3 coronagraphy, AMI, time-series and wavefront rules.
--
-- `nrsfss_*` and `stage3_target` are also defined, identically, by the
-- Stage 3 spectral rules' file (20_spec3.sql), which loads after this one.

-- Whether a NIRCam coronagraphic exposure sees the occulted target: in full
-- frame only nrca4 does behind the bar mask and only nrca2 behind the round
-- masks; an exposure lacking detector, subarray or pupil never does.
CREATE OR REPLACE MACRO nrccoron_valid_detector(detector, subarray, pupil) AS
    detector IS NOT NULL
    AND subarray IS NOT NULL
    AND pupil IS NOT NULL
    AND NOT (
        subarray = 'full'
        AND (
            (pupil = 'maskbar' AND detector IN ('nrca1', 'nrca2', 'nrca3'))
            OR (pupil = 'maskrnd' AND detector IN ('nrca1', 'nrca3', 'nrca4'))
        )
    );

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

-- Target a Stage 3 member pins: 000 for a direct-image candidate; none for
-- a background exposure (the reference does not hold backgrounds to the
-- target; they join any association of their mode); else the target id.
CREATE OR REPLACE MACRO stage3_target(item_candidate, exptype, targetid) AS
    CASE
        WHEN regexp_full_match(item_candidate, '\[\(''c\d{4}'', ''direct_image''\)\]') THEN '000'
        WHEN exptype = 'background' THEN NULL
        ELSE targetid
    END;

-- Target a coronagraphic or AMI member pins: only science is held to the
-- target; PSF references join every association of their optical path.
CREATE OR REPLACE MACRO science_target(exptype, targetid) AS
    CASE WHEN exptype = 'science' THEN targetid END;

-- Stage 2 output a Stage 3 association reads when coronagraphic exposures
-- are combined as plain images: per integration only for AMI or TSO.
CREATE OR REPLACE MACRO stage3_image_expname(filename, exptype, pntgtype, tsovisit, exp_type) AS
    level2_name(
        filename,
        CASE
            WHEN exptype = 'background' THEN 'x1d'
            WHEN list_contains(level2b_exp_types(), exp_type) THEN 'cal'
            ELSE 'rate'
        END
        || CASE
            WHEN coalesce(pntgtype = 'science', false)
                AND NOT coalesce(list_contains(acq_exp_types(), exp_type), false)
                AND (
                    coalesce(exp_type = 'nis_ami', false)
                    OR coalesce(tsovisit = 't', false)
                    OR coalesce(list_contains(tso_exp_types(), exp_type), false)
                )
                THEN 'ints'
            ELSE ''
        END
    );
