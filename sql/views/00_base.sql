-- Files in sql/views/ load in name order; a file may use macros of the files before it.

-- Shared macros: the vocabulary every rule file speaks.
--
-- Pool values are lowercase strings. The reference treats a keyword as
-- "not set" when it is missing, empty, or one of these spellings (after
-- lowercasing): null, --, n, f, false, n/a. `setval` turns every such value
-- into SQL NULL so rules can write `x IS NULL` for "not set".

CREATE OR REPLACE MACRO setval(v) AS
    CASE
        WHEN v IS NULL THEN NULL
        WHEN v IN ('', 'null', '--', 'n', 'f', 'false', 'n/a') THEN NULL
        ELSE v
    END;

-- A direct-image candidate's pass: the one candidate a member records is a
-- `direct_image` candidate (its products are named for target 000).
CREATE OR REPLACE MACRO is_direct_image(item_candidate) AS
    regexp_full_match(item_candidate, '\[\(''c\d{4}'', ''direct_image''\)\]');

-- Exposure types of target acquisitions.
CREATE OR REPLACE MACRO acq_exp_types() AS [
    'mir_tacq', 'mir_taconfirm', 'nis_taconfirm', 'nis_tacq', 'nrc_taconfirm',
    'nrc_tacq', 'nrs_confirm', 'nrs_msata', 'nrs_taconfirm', 'nrs_tacq',
    'nrs_taslit', 'nrs_verify', 'nrs_wata'
];

-- Exposure types that are always time series.
CREATE OR REPLACE MACRO tso_exp_types() AS ['nrc_tsimage', 'nrc_tsgrism', 'nrs_brightobj'];

CREATE OR REPLACE MACRO image2_science_exp_types() AS [
    'fgs_image', 'mir_4qpm', 'mir_image', 'mir_lyot', 'nis_ami', 'nis_image',
    'nrc_coron', 'nrc_image', 'nrs_mimf', 'nrc_tsimage'
];

CREATE OR REPLACE MACRO image2_nonscience_exp_types() AS list_concat(
    ['mir_coroncal', 'nis_focus', 'nrc_focus', 'nrs_focus', 'nrs_image'],
    acq_exp_types()
);

CREATE OR REPLACE MACRO spec2_science_exp_types() AS [
    'mir_lrs-fixedslit', 'mir_lrs-slitless', 'mir_mrs', 'mir_wfss', 'nis_soss',
    'nis_wfss', 'nrc_tsgrism', 'nrc_wfss', 'nrs_fixedslit', 'nrs_ifu',
    'nrs_msaspec', 'nrs_brightobj'
];

-- Exposure types whose Stage 2 product is `cal` (everything else is `rate`).
CREATE OR REPLACE MACRO level2b_exp_types() AS list_concat(
    image2_science_exp_types(), image2_nonscience_exp_types(), spec2_science_exp_types()
);

-- Member exposure type for a non-science pointing or exposure type, as the
-- reference maps it (darks, flats, engineering, target acquisitions).
CREATE OR REPLACE MACRO mapped_exptype(exp_type) AS
    CASE
        WHEN exp_type IN ('mir_darkall', 'mir_darkimg', 'mir_darkmrs', 'nis_dark',
                          'nrc_dark', 'nrs_dark') THEN 'dark'
        WHEN exp_type IN ('mir_flatimage', 'mir_flatmrs', 'mir_flatimage-ext',
                          'mir_flatmrs-ext', 'nrc_flat') THEN 'flat'
        WHEN exp_type IN ('nis_focus', 'nis_lamp', 'nrc_focus', 'nrc_led', 'nrs_focus',
                          'nrs_image', 'nrs_lamp') THEN 'engineering'
        WHEN exp_type IN ('mir_tacq', 'mir_taconfirm', 'nis_tacq', 'nis_taconfirm',
                          'nrc_tacq', 'nrc_taconfirm', 'nrs_confirm', 'nrs_msata',
                          'nrs_tacq', 'nrs_taconfirm', 'nrs_taslit', 'nrs_wata')
            THEN 'target_acquisition'
        WHEN exp_type = 'nrs_autoflat' THEN 'autoflat'
        WHEN exp_type = 'nrs_autowave' THEN 'autowave'
        ELSE 'science'
    END;

-- Member exposure type as a Stage 3 association assigns it: a non-science
-- pointing type wins, then the exposure-type map, then the special flags
-- (psf before imprint before background).
CREATE OR REPLACE MACRO exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) AS
    CASE
        WHEN pntgtype IS NOT NULL AND pntgtype <> 'science' THEN pntgtype
        WHEN mapped_exptype(exp_type) <> 'science' THEN mapped_exptype(exp_type)
        WHEN is_psf IS NOT NULL THEN 'psf'
        WHEN is_imprt IS NOT NULL THEN 'imprint'
        WHEN bkgdtarg IS NOT NULL THEN 'background'
        ELSE 'science'
    END;

-- A time-series exposure: science pointing and either a TSO visit or a TSO
-- exposure type.
CREATE OR REPLACE MACRO is_tso(pntgtype, tsovisit, exp_type) AS
    coalesce(pntgtype = 'science', false)
    AND (coalesce(tsovisit = 't', false) OR coalesce(list_contains(tso_exp_types(), exp_type), false));

-- Coronagraphic science that the reference processes per integration.
CREATE OR REPLACE MACRO is_coron_item(pntgtype, exp_type, subarray, pupil, detector) AS
    coalesce(pntgtype = 'science', false)
    AND NOT coalesce(list_contains(acq_exp_types(), exp_type), false)
    AND coalesce(exp_type IN ('mir_4qpm', 'mir_lyot', 'nrc_coron'), false)
    AND NOT (
        coalesce(exp_type = 'nrc_coron' AND subarray = 'full', false)
        AND (
            coalesce(pupil = 'maskbar' AND detector IN ('nrca1', 'nrca2', 'nrca3'), false)
            OR coalesce(pupil = 'maskrnd' AND detector IN ('nrca1', 'nrca3', 'nrca4'), false)
        )
    );

-- Whether a member's file is per integration (`rateints`/`calints`).
CREATE OR REPLACE MACRO uses_integrations(pntgtype, tsovisit, exp_type, subarray, pupil, detector) AS
    coalesce(pntgtype = 'science', false)
    AND NOT coalesce(list_contains(acq_exp_types(), exp_type), false)
    AND (
        is_coron_item(pntgtype, exp_type, subarray, pupil, detector)
        OR coalesce(exp_type = 'nis_ami', false)
        OR coalesce(tsovisit = 't', false)
        OR coalesce(list_contains(tso_exp_types(), exp_type), false)
    );

-- Rename a Level 1b file name (`..._uncal.ext`) to the given suffix; names
-- that are not Level 1b pass through unchanged, as in the reference.
CREATE OR REPLACE MACRO level2_name(filename, suffix) AS
    CASE
        WHEN regexp_matches(filename, '^(.+)_uncal(\..+)$')
            THEN regexp_replace(filename, '^(.+)_uncal(\..+)$', '\1_' || suffix || '\2')
        ELSE filename
    END;

-- Stage 2 product of a Level 1b exposure: `rate`, or `rateints` when the
-- exposure is processed per integration (`items.item_ints`).
CREATE OR REPLACE MACRO stage2_expname(filename, ints) AS
    level2_name(filename, CASE WHEN ints THEN 'rateints' ELSE 'rate' END);

-- Stage 2 output a Stage 3 association reads: `x1d` for backgrounds, `cal`
-- for Stage 2b exposure types, `rate` otherwise; `ints` per integration.
CREATE OR REPLACE MACRO stage3_expname(filename, exptype, exp_type, ints) AS
    level2_name(
        filename,
        CASE
            WHEN exptype = 'background' THEN 'x1d'
            WHEN list_contains(level2b_exp_types(), exp_type) THEN 'cal'
            ELSE 'rate'
        END
        || CASE WHEN ints THEN 'ints' ELSE '' END
    );

-- Member exposure type in a Stage 2 association: as Stage 3, except that a
-- PSF exposure is calibrated as science.
CREATE OR REPLACE MACRO stage2_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) AS
    CASE exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg)
        WHEN 'psf' THEN 'science'
        ELSE exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg)
    END;

-- The instrument mode every Stage 2 association pins: program, instrument,
-- detector and filter (or band) set; not a NIRSpec opaque-filter exposure,
-- not a NIRCam long-wave TSO grism exposure, not a wavefront-sensing visit.
CREATE OR REPLACE MACRO stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype) AS
    program IS NOT NULL
    AND instrume IS NOT NULL
    AND detector IS NOT NULL
    AND coalesce(filter, band) IS NOT NULL
    AND NOT coalesce(detector = 'nirspec', false)
    AND NOT coalesce(filter = 'opaque', false)
    AND NOT (coalesce(detector = 'nrcblong', false) AND coalesce(exp_type = 'nrc_tsgrism', false))
    AND NOT coalesce(regexp_full_match(visitype, '.+wfsc.+'), false);
