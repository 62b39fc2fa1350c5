-- name = "Asn_Lv2WFSSParallel"
-- asn_type = "spec2"
-- level = 2
-- shape = "wfss"
-- purpose = "Calibrate each pure-parallel grism exposure with the catalog of its long-wavelength direct image."
-- groups_on = "direct-image candidate, instrument"
-- excludes = "exposures outside a direct-image candidate; exposures other than WFSS and imaging"
-- candidates = "any"                 # valid for every candidate type, direct_image included
-- attaches = "the direct image, source catalog and segmentation map made from the direct images of the same group"
SELECT
    run_id,
    _row,
    CASE WHEN exptype = 'science' THEN 'science' ELSE 'other' END AS role,
    exptype,
    stage2_expname(filename, pntgtype, tsovisit, exp_type, subarray, pupil, detector) AS expname,
    [target, instrume] AS group_key,
    'long' AS direct_choice,
    pool_int(expspcin) AS expspcin_num,
    'jw' || padded_program(raw_program) || '-'
        || CASE WHEN registry = 'candidate' THEN cand_id ELSE 'a3001' END
        || '_t' || CASE WHEN length(re_escape(target)) < 3 THEN lpad(re_escape(target), 3, '0')
                        ELSE re_escape(target) END
        || '_' || re_escape(instrume) || '_' AS name_prefix,
    wfss_opt_elem(instrume, filter, band, pupil, grating) AS name_opt_elem,
    '' AS name_suffix
FROM (
    SELECT
        *,
        -- A direct image calibrated as science is the grism's direct image.
        CASE
            WHEN stage2_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) = 'science'
                AND exp_type IN ('nis_image', 'nrc_image', 'mir_image')
                THEN 'direct_image'
            ELSE stage2_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg)
        END AS exptype,
        -- Direct-image candidates are named for target 000.
        CASE
            WHEN regexp_full_match(item_candidate, '\[\(''c\d{4}'', ''direct_image''\)\]') THEN '000'
            ELSE targetid
        END AS target
    FROM items
)
WHERE exp_type IN ('nis_wfss', 'nrc_wfss', 'mir_wfss', 'nis_image', 'nrc_image', 'mir_image')
    AND instrume IS NOT NULL
    AND target IS NOT NULL
    AND regexp_full_match(item_candidate, '\[\(''c\d{4}'', ''direct_image''\)\]')
