-- name = "Asn_Lv2SpecTSO"
-- asn_type = "tso-spec2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each time-series spectrum on its own, per integration."
-- groups_on = "one association per time-series spectral exposure (program, instrument, detector, filter, exposure type)"
-- excludes = "MSA, fixed-slit and MIRI LRS exposures; exposures that are not time series; NIRCam TSO grism with the CLEAR pupil; NIRSpec bright-object paths that miss the detector; NIRISS SOSS with F277W"
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
WHERE exp_type IN (
        'mir_mrs', 'mir_wfss', 'nis_soss', 'nis_wfss', 'nrc_tsgrism', 'nrc_wfss',
        'nrs_ifu', 'nrs_brightobj'
    )
    AND is_tso(pntgtype, tsovisit, exp_type)
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    AND stage2_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) = 'science'
    AND NOT (exp_type = 'nrc_tsgrism' AND coalesce(pupil = 'clear', false))
    AND NOT (exp_type = 'nrs_brightobj' AND NOT nrsfss_valid_detector(fxd_slit, grating, filter, detector))
    AND nissoss_calibrated_filter(exp_type, filter)
