-- name = "Asn_Lv3NRCCoron"
-- asn_type = "coron3"
-- level = 3
-- shape = "group"
-- purpose = "Combine NIRCam coronagraphic science of one target with its PSF references."
-- groups_on = "program, instrument, subarray; filter, pupil, slit, target (science only) when set"
-- excludes = "backgrounds, imprints, full-frame detectors without the occulted target"
-- attaches = "PSF references of the same optical path; target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
-- valid_requires = ["psf"]
SELECT
    * REPLACE (science_target AS target),
    [program, instrume, subarray] AS group_key,
    -- PSF references carry no target, so they join every target's association.
    [filter, opt_elem2, slit_key, science_target] AS optional_key
FROM stage3_items
WHERE exp_type = 'nrc_coron'
    AND bkgdtarg IS NULL
    AND subarray IS NOT NULL
    AND nrccoron_valid_detector(subarray, pupil, detector)
    AND (exptype <> 'science' OR targetid IS NOT NULL)
