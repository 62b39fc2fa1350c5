-- name = "Asn_Lv3MIRCoron"
-- asn_type = "coron3"
-- level = 3
-- shape = "group"
-- purpose = "Combine MIRI coronagraphic science (4QPM or Lyot) of one target with its PSF references."
-- groups_on = "program, instrument, exposure type, subarray; filter, pupil, slit, target (science only) when set"
-- excludes = "backgrounds, imprints"
-- attaches = "PSF references of the same optical path; target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
-- valid_requires = ["psf"]
SELECT
    * REPLACE (science_target AS target),
    [program, instrume, exp_type, subarray] AS group_key,
    -- PSF references carry no target, so they join every target's association.
    [filter, opt_elem2, slit_key, science_target] AS optional_key
FROM stage3_items
WHERE exp_type IN ('mir_lyot', 'mir_4qpm')
    AND bkgdtarg IS NULL
    AND subarray IS NOT NULL
    AND (exptype <> 'science' OR targetid IS NOT NULL)
