-- name = "Asn_Lv2WFSSNIS"
-- asn_type = "spec2"
-- level = 2
-- shape = "wfss"
-- purpose = "Calibrate each NIRISS grism exposure with the catalog of its direct images."
-- groups_on = "program, target, instrument, pupil, subarray; TSO visit as it is"
-- excludes = "exposures other than NIRISS WFSS and imaging"
-- attaches = "the direct image, source catalog and segmentation map made from the direct images of the same group"
SELECT
    -- A subarray other than full ends the names.
    * REPLACE (
        CASE WHEN re_escape(subarray) = 'full' THEN '' ELSE '-' || re_escape(subarray) END AS name_suffix
    ),
    [program, tsovisit, target, instrume, pupil, subarray] AS group_key,
    'closest' AS direct_choice                      -- the next direct image by expspcin
FROM wfss_items
WHERE exp_type IN ('nis_wfss', 'nis_image')
    AND program IS NOT NULL
    AND pupil IS NOT NULL
    AND subarray IS NOT NULL
    AND instrume IS NOT NULL
    AND target IS NOT NULL
