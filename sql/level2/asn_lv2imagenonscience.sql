-- name = "Asn_Lv2ImageNonScience"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each target acquisition, focus or other non-science image on its own."
-- groups_on = "one association per exposure (program; TSO visit when set)"
-- excludes = "anything but target acquisitions, focus, NIRSpec image and MSA all-open mirror exposures"
-- attaches = "nothing"
SELECT
    * REPLACE ('science' AS exptype, 'science' AS role),   -- each exposure its own science
    [program] AS group_key,
    [tsovisit] AS optional_key
FROM stage2_items
WHERE program IS NOT NULL
    AND (
        item_exptype = 'target_acquisition'
        OR list_contains(image2_nonscience_exp_types(), exp_type)
        OR (exp_type = 'nrs_msaspec' AND msastate = 'primarypark_allopen' AND grating = 'mirror')
    )
