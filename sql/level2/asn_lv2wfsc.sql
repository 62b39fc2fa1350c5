-- name = "Asn_Lv2WFSC"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each wavefront-sensing and control image on its own."
-- groups_on = "one association per image of a WFS&C visit (program, exposure type, visit type; TSO visit when set)"
-- excludes = "visits that are not WFS&C; NIRCam images of line-of-sight jitter visits; backgrounds, imprints"
-- attaches = "nothing"
SELECT
    * REPLACE ('science' AS exptype, 'science' AS role),   -- each exposure its own science
    [program, exp_type, visitype] AS group_key,
    [tsovisit] AS optional_key
FROM stage2_items
WHERE list_contains(image2_science_exp_types(), exp_type)
    AND program IS NOT NULL
    AND is_wfsc(visitype)
    AND NOT (coalesce(dms_note = 'wfsc_los_jitter', false) AND exp_type = 'nrc_image')
    AND exptype = 'science'
