-- name = "Asn_Lv3NRCCoronImage"
-- asn_type = "image3"
-- level = 3
-- shape = "group"
-- purpose = "Also combine NIRCam short-wave full-frame coronagraphic science as plain images."
-- groups_on = "program, instrument, subarray; filter, pupil, slit, target (science only) when set"
-- excludes = "anything but short-wave full-frame NRC_CORON; backgrounds, PSF references flagged T, imprints"
-- attaches = "target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{subarray}-image3"
SELECT
    * REPLACE (
        science_target AS target,
        -- Read as images: `cal`, not the coronagraphic `calints`.
        stage3_image_expname(filename, exptype, pntgtype, tsovisit, exp_type) AS expname
    ),
    [program, instrume, subarray] AS group_key,
    [filter, opt_elem2, slit_key, science_target] AS optional_key
FROM stage3_items
WHERE exp_type = 'nrc_coron'
    AND channel = 'short'
    AND subarray = 'full'
    AND bkgdtarg IS NULL
    AND coalesce(is_psf <> 't', true)               -- only the flag spelled `T` excludes a PSF
    AND (exptype <> 'science' OR targetid IS NOT NULL)
