-- name = "Asn_Lv2Image"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each science image on its own, with the backgrounds taken in the same mode."
-- groups_on = "program, instrument, detector, filter (or band), exposure type; TSO visit, pupil/grating, slit, subarray, channel when set"
-- excludes = "TSO exposures; NIRSpec opaque-filter, NIRCam long-wave TSO grism and wavefront-sensing exposures; non-science pointings"
-- attaches = "background exposures of the same mode (as `background`)"
SELECT
    *,
    mode_key AS group_key,
    mode_options AS optional_key
FROM stage2_items
WHERE list_contains(image2_science_exp_types(), exp_type)
    AND NOT item_is_tso
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    -- Science joins as itself; a background exposure joins as background.
    AND (exptype = 'science' OR bkgdtarg IS NOT NULL)
