-- Macros for the Stage 2 nod and WFSS rules (NIRSpec MSA/FS/IFU nods, MIRI
-- LRS slit nods, grism with direct images).

-- A keyword read as a whole number, as Python's int() reads a pool cell;
-- NULL when the cell is not set or not an integer ('1.5', 'null', ...).
CREATE OR REPLACE MACRO pool_int(v) AS
    CASE
        WHEN regexp_full_match(trim(v), '[+-]?\d+') THEN CAST(trim(v) AS BIGINT)
    END;

-- A value escaped the way Python's re.escape escapes it (the reference
-- stores constraint values escaped, and names products from them).
CREATE OR REPLACE MACRO re_escape(v) AS
    regexp_replace(v, '([()\[\]{}?*+\-|^$\\.&~# \t\n\r\v\f])', '\\\1', 'g');

-- The program as the reference writes it in names: zero-padded to 5.
CREATE OR REPLACE MACRO padded_program(raw_program) AS
    CASE WHEN length(raw_program) < 5 THEN lpad(raw_program, 5, '0') ELSE raw_program END;



-- Whether another nod of the set would spoil the science nod as its
-- background (then it is left out). Only NIRSpec FS and MOS nods can:
-- a different target always does; otherwise the same primary nod position
-- does, and for 5-point S1600A1 slit nods so does a neighbouring one.
-- Without pattern numbers, FS nods are assumed to overlap and MOS nods not.
-- Arguments: science exposure type, both raw targets, the science
-- numdthpt, both patt_num and both subpixel counts (pool_int), science slit.
CREATE OR REPLACE MACRO nod_background_overlap(
    exp_type, sci_target, bkg_target, numdthpt, sci_patt, bkg_patt, sci_subpx, bkg_subpx, slit
) AS
    CASE
        WHEN coalesce(exp_type NOT IN ('nrs_fixedslit', 'nrs_msaspec'), true) THEN false
        WHEN sci_target IS DISTINCT FROM bkg_target THEN true
        WHEN numdthpt IS NULL OR sci_patt IS NULL OR bkg_patt IS NULL
            OR sci_subpx IS NULL OR bkg_subpx IS NULL OR sci_subpx = 0 OR bkg_subpx = 0
            THEN exp_type = 'nrs_fixedslit'
        WHEN floor((sci_patt - 1) / sci_subpx) = floor((bkg_patt - 1) / bkg_subpx) THEN true
        WHEN exp_type = 'nrs_msaspec' THEN false
        ELSE coalesce(slit = 's1600a1', false)
            AND floor(numdthpt / sci_subpx) = 5
            AND abs(floor((sci_patt - 1) / sci_subpx) - floor((bkg_patt - 1) / bkg_subpx)) <= 1
    END;

-- The optical element part of a WFSS catalog name, from its direct image:
-- MIRI names its filter only; the others filter (or band) and pupil (or
-- grating), sorted; `clear` when none is set.
CREATE OR REPLACE MACRO wfss_opt_elem(instrume, filter, band, pupil, grating) AS
    CASE
        WHEN coalesce(instrume, 'unknown') = 'miri' THEN coalesce(filter, 'clear')
        ELSE coalesce(
            nullif(
                array_to_string(
                    list_sort(list_filter([coalesce(filter, band), coalesce(pupil, grating)],
                                          lambda x: x IS NOT NULL)),
                    '-'
                ),
                ''
            ),
            'clear'
        )
    END;

-- Member exposure type in a WFSS association: an image calibrated as
-- science is the grism's direct image.
CREATE OR REPLACE MACRO wfss_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) AS
    CASE
        WHEN stage2_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) = 'science'
            AND exp_type IN ('nis_image', 'nrc_image', 'mir_image')
            THEN 'direct_image'
        ELSE stage2_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg)
    END;

-- The target a WFSS association pins: 000 for a direct-image candidate.
CREATE OR REPLACE MACRO wfss_target(item_candidate, targetid) AS
    CASE
        WHEN is_direct_image(item_candidate) THEN '000'
        ELSE targetid
    END;

-- The Stage 3 product name of the direct images up to the optical element:
-- jw<program>-<candidate>_t<target>_<instrument>_ (values escaped as the
-- reference's constraints hold them).
CREATE OR REPLACE MACRO wfss_catalog_prefix(raw_program, registry, cand_id, target, instrume) AS
    'jw' || padded_program(raw_program)
    || '-' || CASE WHEN registry = 'candidate' THEN cand_id ELSE 'a3001' END
    || '_t' || CASE WHEN length(re_escape(target)) < 3 THEN lpad(re_escape(target), 3, '0')
                    ELSE re_escape(target) END
    || '_' || re_escape(instrume) || '_';
