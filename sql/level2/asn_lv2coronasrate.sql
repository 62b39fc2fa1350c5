-- name = "Asn_Lv2CoronAsRate"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each full-frame NIRCam coronagraphic image as an ordinary rate image."
-- groups_on = "program, instrument, detector, filter (or band), NRC_CORON; TSO visit, pupil/grating, slit, subarray, channel when set"
-- excludes = "subarrays; full-frame detectors with no occulted target; NIRSpec opaque-filter and wavefront-sensing exposures"
-- attaches = "background exposures of the same mode (as `background`)"
SELECT
    -- Never per integration for being coronagraphic: that is this rule's point.
    * REPLACE (stage2_expname_not_coron(filename, pntgtype, tsovisit, exp_type) AS expname),
    mode_key AS group_key,
    mode_options AS optional_key
FROM stage2_items
WHERE exp_type = 'nrc_coron'
    AND subarray = 'full'
    AND nrccoron_valid_detector(subarray, pupil, detector)
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    AND (exptype = 'science' OR bkgdtarg IS NOT NULL)
