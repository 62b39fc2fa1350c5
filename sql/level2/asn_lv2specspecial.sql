-- name = "Asn_Lv2SpecSpecial"
-- asn_type = "spec2"
-- level = 2
-- shape = "special_imprints"
-- purpose = "Calibrate each background or PSF spectrum on its own, as science, with the imprints taken alongside."
-- groups_on = "program, instrument, detector, filter (or band), exposure type, background/PSF flag; TSO visit, pupil/grating, slit, subarray, channel when set"
-- excludes = "exposures that are neither background nor PSF; NIRSpec IFU paths that miss the detector; NIRSpec opaque-filter and wavefront-sensing exposures"
-- attaches = "imprints of the same mode (as `imprint`) when the exposure offered before them was no imprint, the first pinning the mosaic tile; pruned to the science's target and dither point"
SELECT
    run_id,
    _row,
    stage2_expname(filename, item_ints) AS expname,
    [program, instrume, detector, coalesce(filter, band), exp_type, coalesce(bkgdtarg, is_psf)] AS group_key,
    [tsovisit, coalesce(pupil, grating), fxd_slit, subarray, channel] AS optional_key,
    -- The reference's exposure type: a PSF flag outranks the imprint flag.
    is_imprt IS NOT NULL AND is_psf IS NULL AS is_imprint,
    mostilno AS tile,
    raw_targetid AS target_id,
    bkgdtarg AS background_flag,
    coalesce(dithptin, 'null') AS dither
FROM items
WHERE list_contains(spec2_science_exp_types(), exp_type)
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    AND nrsifu_valid_detector(exp_type, grating, filter, detector)
    AND coalesce(bkgdtarg, is_psf) IS NOT NULL
