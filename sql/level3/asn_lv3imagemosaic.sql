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
    run_id,
    _row,
    role,
    item_exptype AS exptype,
    stage3_expname(filename, item_exptype, exp_type, item_ints) AS expname,
    obs_num,
    [program, instrume, exp_type, subarray] AS group_key,
    [filter, coalesce(pupil, grating), slit_key, visitype] AS optional_key,
    [program, instrume] AS acq_key,                 -- an acquisition must share these
    NULL AS target,
    instrume AS instrument,
    filter AS opt_elem,
    coalesce(pupil, grating) AS opt_elem2,
    fxd_slit AS slit,
    subarray
FROM (
    SELECT
        *,
        -- s200a1/s200a2 name the slit but do not split associations.
        CASE WHEN fxd_slit IN ('s200a1', 's200a2') THEN NULL ELSE fxd_slit END AS slit_key,
        CASE
            WHEN exp_type IN ('nrc_image', 'mir_image', 'nis_image', 'fgs_image', 'nrs_mimf')
                AND bkgdtarg IS NULL
                AND NOT item_is_tso
                AND coalesce(visitype NOT LIKE '%wfsc%', true)
                THEN 'science'
            WHEN item_exptype = 'target_acquisition'
                THEN 'acq'
        END AS role
    FROM items
    WHERE is_imprt IS NULL
)
WHERE role IS NOT NULL
    AND program IS NOT NULL
    AND instrume IS NOT NULL
    AND (role = 'acq' OR subarray IS NOT NULL)
