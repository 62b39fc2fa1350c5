-- name = "Asn_Lv2NRSLAMPImage"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each NIRSpec imaging lamp exposure (mirror) on its own, as science."
-- groups_on = "one association per lamp exposure (program; TSO visit when set)"
-- excludes = "anything but NRS_LAMP with the mirror; operating modes other than image when set"
-- attaches = "nothing"
SELECT
    * REPLACE ('science' AS exptype, 'science' AS role),   -- each exposure its own science
    [program] AS group_key,
    [tsovisit] AS optional_key
FROM stage2_items
WHERE exp_type = 'nrs_lamp'
    AND program IS NOT NULL
    AND grating = 'mirror'
    AND coalesce(opmode = 'image', true)
