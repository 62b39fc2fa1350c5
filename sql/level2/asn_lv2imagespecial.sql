-- name = "Asn_Lv2ImageSpecial"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each background or PSF image on its own, as science."
-- groups_on = "one association per background or PSF image (program, instrument, detector, filter (or band), exposure type; TSO visit, pupil/grating, slit, subarray, channel when set)"
-- excludes = "exposures that are neither background nor PSF"
-- attaches = "nothing"
SELECT
    * REPLACE ('science' AS exptype, 'science' AS role),   -- each exposure its own science
    mode_key AS group_key,
    mode_options AS optional_key
FROM stage2_items
WHERE list_contains(image2_science_exp_types(), exp_type)
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    AND coalesce(bkgdtarg, is_psf) IS NOT NULL
