-- name = "Asn_Lv2WFSSParallel"
-- asn_type = "spec2"
-- level = 2
-- shape = "wfss"
-- purpose = "Calibrate each pure-parallel grism exposure with the catalog of its long-wavelength direct image."
-- groups_on = "direct-image candidate (its target), instrument"
-- excludes = "exposures outside a direct-image candidate; exposures other than WFSS and imaging"
-- candidates = "any"                 # valid for every candidate type, direct_image included
-- attaches = "the direct image, source catalog and segmentation map made from the direct images of the same group"
SELECT
    *,
    [target, instrume] AS group_key,
    'long' AS direct_choice                         -- the first long-wavelength direct image
FROM wfss_items
WHERE exp_type IN ('nis_wfss', 'nrc_wfss', 'mir_wfss', 'nis_image', 'nrc_image', 'mir_image')
    AND is_direct_image(item_candidate)
    AND instrume IS NOT NULL
    AND target IS NOT NULL
