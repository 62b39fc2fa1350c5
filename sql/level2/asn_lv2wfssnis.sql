-- name = "Asn_Lv2WFSSNIS"
-- asn_type = "spec2"
-- level = 2
-- shape = "wfss"
-- purpose = "Calibrate each NIRISS grism exposure with the catalog of its direct images."
-- groups_on = "program, target, instrument, pupil, subarray; TSO visit as it is"
-- excludes = "exposures other than NIRISS WFSS and imaging"
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
    [program, tsovisit, target, instrume, pupil, subarray] AS group_key,
    'closest' AS direct_choice,                     -- the next direct image by expspcin
    pool_int(expspcin) AS expspcin_num,
    wfss_catalog_prefix(raw_program, registry, cand_id, target, instrume) AS name_prefix,
    wfss_opt_elem(instrume, filter, band, pupil, grating) AS name_opt_elem,
    CASE WHEN re_escape(subarray) = 'full' THEN '' ELSE '-' || re_escape(subarray) END AS name_suffix
FROM (
    SELECT
        *,
        wfss_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) AS exptype,
        wfss_target(item_candidate, targetid) AS target
    FROM items
)
WHERE exp_type IN ('nis_wfss', 'nis_image')
    AND program IS NOT NULL
    AND pupil IS NOT NULL
    AND subarray IS NOT NULL
    AND instrume IS NOT NULL
    AND target IS NOT NULL
