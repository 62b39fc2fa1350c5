-- name = "Asn_Lv2SpecImprint"
-- asn_type = "spec2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each NIRSpec imprint (leakcal) exposure on its own, as science."
-- groups_on = "one association per imprint exposure (program, instrument, detector, filter (or band), exposure type, imprint flag; TSO visit, pupil/grating, slit, subarray, channel when set)"
-- excludes = "exposures not flagged as imprints; NIRSpec IFU paths that miss the detector; NIRSpec opaque-filter and wavefront-sensing exposures"
-- attaches = "nothing"
SELECT
    * REPLACE ('science' AS exptype, 'science' AS role),   -- each exposure its own science
    list_append(mode_key, is_imprt) AS group_key,
    mode_options AS optional_key
FROM stage2_items
WHERE list_contains(spec2_science_exp_types(), exp_type)
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    AND nrsifu_valid_detector(exp_type, grating, filter, detector)
    AND is_imprt IS NOT NULL
