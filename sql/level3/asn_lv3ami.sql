-- name = "Asn_Lv3AMI"
-- asn_type = "ami3"
-- level = 3
-- shape = "group"
-- purpose = "Combine NIRISS aperture-masking interferometry of one target with its PSF references."
-- groups_on = "program, instrument, subarray; filter, pupil, slit, target (science only) when set"
-- excludes = "imprints"
-- attaches = "PSF references and backgrounds of the same optical path; target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
-- valid_requires = ["psf"]
SELECT
    * REPLACE (science_target AS target),
    [program, instrume, subarray] AS group_key,
    -- PSF references and backgrounds carry no target, so they join every
    -- target's association.
    [filter, opt_elem2, slit_key, science_target] AS optional_key
FROM stage3_items
WHERE exp_type = 'nis_ami'
    AND subarray IS NOT NULL
    AND (exptype <> 'science' OR targetid IS NOT NULL)
