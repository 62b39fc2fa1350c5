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
    run_id,
    _row,
    role,
    exptype,
    stage3_expname(filename, exptype, exp_type, item_ints) AS expname,
    obs_num,
    [program, instrume, exp_type, subarray, target] AS group_key,
    [filter, coalesce(pupil, grating), slit_key, visitype] AS optional_key,
    [program, instrume] AS acq_key,                 -- an acquisition must share these
    target,
    instrume AS instrument,
    filter AS opt_elem,
    coalesce(pupil, grating) AS opt_elem2,
    fxd_slit AS slit,
    subarray
FROM (
    SELECT
        *,
        -- Backgrounds (and PSFs, imprints) are taken as science here; only
        -- target acquisitions keep their type.
        CASE
            WHEN item_exptype = 'target_acquisition'
                THEN 'target_acquisition'
            ELSE 'science'
        END AS exptype,
        -- Direct-image candidates are named for target 000.
        CASE
            WHEN regexp_full_match(item_candidate, '\[\(''c\d{4}'', ''direct_image''\)\]') THEN '000'
            ELSE targetid
        END AS target,
        -- s200a1/s200a2 name the slit but do not split associations.
        CASE WHEN fxd_slit IN ('s200a1', 's200a2') THEN NULL ELSE fxd_slit END AS slit_key,
        CASE
            WHEN exp_type IN ('nrc_image', 'mir_image', 'nis_image', 'fgs_image', 'nrs_mimf')
                AND bkgdtarg IS NOT NULL
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
    AND (role = 'acq' OR (subarray IS NOT NULL AND target IS NOT NULL))
