-- name = "Asn_Lv3ImageBackground"
-- asn_type = "image3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the background images of one target, instrument, optical path and subarray, as science."
-- groups_on = "program, instrument, exposure type, subarray, target; filter, pupil/grating, slit, visit type when set"
-- excludes = "anything but background images; TSO, imprints, wavefront-sensing visits"
-- attaches = "target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    *,
    [program, instrume, exp_type, subarray, target] AS group_key,
    [filter, opt_elem2, slit_key, visitype] AS optional_key
FROM stage3_aux_items                               -- backgrounds taken as science
WHERE exp_type IN ('nrc_image', 'mir_image', 'nis_image', 'fgs_image', 'nrs_mimf')
    AND bkgdtarg IS NOT NULL
    AND NOT item_is_tso
    AND coalesce(visitype NOT LIKE '%wfsc%', true)  -- wavefront sensing: Asn_Lv3WFSCMB
    AND subarray IS NOT NULL
    AND target IS NOT NULL
