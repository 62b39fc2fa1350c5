-- name = "Asn_Lv2SpecTSO"
-- asn_type = "tso-spec2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each time-series spectrum on its own, per integration."
-- groups_on = "one association per time-series spectral exposure (program, instrument, detector, filter (or band), exposure type; TSO visit, pupil/grating, slit, subarray, channel when set)"
-- excludes = "MSA, fixed-slit and MIRI LRS exposures; exposures that are not time series; NIRCam TSO grism with the CLEAR pupil; NIRSpec bright-object paths that miss the detector; NIRISS SOSS with F277W"
-- attaches = "nothing"
SELECT
    * REPLACE ('science' AS exptype, 'science' AS role),   -- each exposure its own science
    mode_key AS group_key,
    mode_options AS optional_key
FROM stage2_items
WHERE exp_type IN (
        'mir_mrs', 'mir_wfss', 'nis_soss', 'nis_wfss', 'nrc_tsgrism', 'nrc_wfss',
        'nrs_ifu', 'nrs_brightobj'
    )
    AND item_is_tso
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    AND exptype = 'science'
    AND NOT (exp_type = 'nrc_tsgrism' AND coalesce(pupil = 'clear', false))
    AND NOT (exp_type = 'nrs_brightobj' AND NOT nrsfss_valid_detector(fxd_slit, grating, filter, detector))
    AND nissoss_calibrated_filter(exp_type, filter)
