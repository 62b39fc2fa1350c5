-- name = "Asn_Lv2WFSSMIR"
-- asn_type = "spec2"
-- level = 2
-- shape = "wfss"
-- purpose = "Calibrate each MIRI grism exposure with the catalog of its direct images."
-- groups_on = "program, target, instrument, detector; TSO visit as it is"
-- excludes = "exposures other than MIRI WFSS and imaging"
-- attaches = "the direct image, source catalog and segmentation map made from the direct images of the same group"
SELECT
    *,
    [program, tsovisit, target, instrume, detector] AS group_key,
    'closest' AS direct_choice                      -- the next direct image by expspcin
FROM wfss_items
WHERE exp_type IN ('mir_wfss', 'mir_image')
    AND program IS NOT NULL
    AND detector IS NOT NULL
    AND instrume IS NOT NULL
    AND target IS NOT NULL
