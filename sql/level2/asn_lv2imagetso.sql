-- name = "Asn_Lv2ImageTSO"
-- asn_type = "tso-image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each time-series science image on its own, per integration."
-- groups_on = "one association per time-series image (program, instrument, detector, filter (or band), exposure type; TSO visit, pupil/grating, slit, subarray, channel when set)"
-- excludes = "exposures that are not time series; backgrounds, imprints; NIRSpec opaque-filter, NIRCam long-wave TSO grism and wavefront-sensing exposures"
-- attaches = "nothing"
SELECT
    * REPLACE ('science' AS exptype, 'science' AS role),   -- each exposure its own science
    mode_key AS group_key,
    mode_options AS optional_key
FROM stage2_items
WHERE list_contains(image2_science_exp_types(), exp_type)
    AND item_is_tso
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    -- Only the science itself: a background or imprint never joins.
    AND exptype = 'science'
