-- name = "Asn_Lv3ImageMosaic"
-- asn_type = "image3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the science images of a mosaic candidate, all targets together, per instrument, optical path and subarray."
-- groups_on = "program, instrument, exposure type, subarray, all targets together; filter, pupil/grating, slit, visit type when set"
-- excludes = "backgrounds, TSO, imprints, wavefront-sensing visits"
-- attaches = "target acquisitions of the same observations"
-- validity = "only mosaic candidates keep their association"
-- valid_candidate_types = ["mosaic"]
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    * REPLACE (NULL::VARCHAR AS target),            -- a mosaic spans targets
    [program, instrume, exp_type, subarray] AS group_key,
    [filter, opt_elem2, slit_key, visitype] AS optional_key
FROM stage3_items
WHERE exp_type IN ('nrc_image', 'mir_image', 'nis_image', 'fgs_image', 'nrs_mimf')
    AND bkgdtarg IS NULL
    AND NOT item_is_tso
    AND coalesce(visitype NOT LIKE '%wfsc%', true)  -- wavefront sensing: Asn_Lv3WFSCMB
    AND subarray IS NOT NULL
