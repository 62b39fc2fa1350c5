-- name = "Asn_Lv2ImageTSO"
-- asn_type = "tso-image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each time-series science image on its own, per integration."
-- groups_on = "one association per time-series image (program, instrument, detector, filter, exposure type)"
-- excludes = "exposures that are not time series; backgrounds, imprints; NIRSpec opaque-filter, NIRCam long-wave TSO grism and wavefront-sensing exposures"
-- attaches = "nothing"
SELECT
    run_id,
    _row,
    'science' AS role,
    'science' AS exptype,
    stage2_expname(filename, pntgtype, tsovisit, exp_type, subarray, pupil, detector) AS expname,
    [program, instrume, detector, coalesce(filter, band), exp_type] AS group_key,
    [tsovisit, coalesce(pupil, grating), fxd_slit, subarray, channel] AS optional_key
FROM items
WHERE list_contains(image2_science_exp_types(), exp_type)
    AND is_tso(pntgtype, tsovisit, exp_type)
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    -- Only the science itself: a background or imprint never joins.
    AND stage2_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) = 'science'
