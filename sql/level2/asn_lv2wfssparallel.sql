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
    CASE
        WHEN exptype = 'science' THEN 'science'
        -- Images and acquisitions are offered again to later associations.
        WHEN exp_type IN ('nis_image', 'nrc_image', 'mir_image')
            OR exptype = 'target_acquisition' THEN 'reoffered'
        ELSE 'other'
    END AS role,
    exptype,
    stage2_expname(filename, item_ints) AS expname,
    [target, instrume] AS group_key,
    'long' AS direct_choice,                        -- the first long-wavelength direct image
    pool_int(expspcin) AS expspcin_num,
    wfss_catalog_prefix(raw_program, registry, cand_id, target, instrume) AS name_prefix,
    wfss_opt_elem(instrume, filter, band, pupil, grating) AS name_opt_elem,
    '' AS name_suffix
FROM (
    SELECT
        *,
        wfss_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) AS exptype,
        wfss_target(item_candidate, targetid) AS target
    FROM items
)
WHERE exp_type IN ('nis_wfss', 'nrc_wfss', 'mir_wfss', 'nis_image', 'nrc_image', 'mir_image')
    AND is_direct_image(item_candidate)
    AND instrume IS NOT NULL
    AND target IS NOT NULL
