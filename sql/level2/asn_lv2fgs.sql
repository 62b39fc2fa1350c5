-- name = "Asn_Lv2FGS"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each FGS science or focus image on its own."
-- groups_on = "one association per FGS image (program, exposure type; TSO visit when set)"
-- excludes = "wavefront-sensing visits (Asn_Lv2WFSC takes those); backgrounds, imprints"
-- attaches = "nothing"
SELECT
    * REPLACE ('science' AS exptype, 'science' AS role),   -- each exposure its own science
    [program, exp_type] AS group_key,
    [tsovisit] AS optional_key
FROM stage2_items
WHERE exp_type IN ('fgs_image', 'fgs_focus')
    AND program IS NOT NULL
    AND NOT is_wfsc(visitype)
    AND exptype = 'science'
