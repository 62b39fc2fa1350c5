-- name = "Asn_Lv2FGS"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each FGS science or focus image on its own."
-- groups_on = "one association per FGS image (program, exposure type; TSO visit when set)"
-- excludes = "wavefront-sensing visits (Asn_Lv2WFSC takes those); backgrounds, imprints"
-- attaches = "nothing"
SELECT
    run_id,
    _row,
    'science' AS role,
    'science' AS exptype,
    stage2_expname(filename, item_ints) AS expname,
    [program, exp_type] AS group_key,
    [tsovisit] AS optional_key
FROM items
WHERE exp_type IN ('fgs_image', 'fgs_focus')
    AND program IS NOT NULL
    AND NOT is_wfsc(visitype)
    AND item_exptype2 = 'science'
