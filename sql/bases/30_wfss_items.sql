-- wfss_items: what the Stage 2 grism rules share, for the exposures they
-- may take (grism and imaging), worked out once.
--
-- Beside the pool keywords:
--   exptype   the member type; an image calibrated as science is the
--             grism's `direct_image`;
--   target    000 for a direct-image candidate, else the target id;
--   role      `science` for grism science; images and target acquisitions
--             are offered again to later associations (`reoffered`);
--             anything else is `other`;
--   expname   the Stage 2 file it reads;
--   expspcin_num, name_prefix, name_opt_elem, name_suffix   what names the
--             Stage 3 direct image, source catalog and segmentation map.
SELECT
    *,
    CASE
        WHEN exptype = 'science' THEN 'science'
        WHEN exp_type IN ('nis_image', 'nrc_image', 'mir_image')
            OR exptype = 'target_acquisition' THEN 'reoffered'
        ELSE 'other'
    END AS role,
    stage2_expname(filename, item_ints) AS expname,
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
