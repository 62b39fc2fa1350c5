-- name = "Asn_Lv2ImageNonScience"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each target acquisition, focus or other non-science image on its own."
-- groups_on = "one association per exposure (program; TSO visit when set)"
-- excludes = "anything but target acquisitions, focus, NIRSpec image and MSA all-open mirror exposures"
-- attaches = "nothing"
SELECT
    run_id,
    _row,
    'science' AS role,
    'science' AS exptype,
    stage2_expname(filename, item_ints) AS expname,
    [program] AS group_key,
    [tsovisit] AS optional_key
FROM items
WHERE program IS NOT NULL
    AND (
        item_exptype = 'target_acquisition'
        OR list_contains(image2_nonscience_exp_types(), exp_type)
        OR (exp_type = 'nrs_msaspec' AND msastate = 'primarypark_allopen' AND grating = 'mirror')
    )
