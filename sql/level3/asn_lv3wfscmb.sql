-- name = "Asn_Lv3WFSCMB"
-- asn_type = "wfs-image3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the dither pair of one wavefront-sensing activity on one detector."
-- groups_on = "program, instrument, exposure type, subarray, detector, observation id, activity; filter, pupil, slit, target (not backgrounds) when set"
-- excludes = "non-WFS&C patterns, line-of-sight jitter exposures, imprints, group candidates, associations of fewer than two members"
-- attaches = "backgrounds of the same activity; target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}-{detector}_{suffix}-{act_id}"
-- valid_min_members = 2
-- invalid_candidate_types = ["group"]
SELECT
    run_id,
    _row,
    role,
    exptype,
    stage3_expname(filename, exptype, exp_type, item_ints) AS expname,
    obs_num,
    [program, instrume, exp_type, subarray, detector, obs_id, act_id] AS group_key,
    -- Backgrounds carry no target, so they join every target's association.
    [filter, coalesce(pupil, grating), slit_key, target] AS optional_key,
    [program, instrume] AS acq_key,                 -- an acquisition must share these
    target,
    instrume AS instrument,
    filter AS opt_elem,
    coalesce(pupil, grating) AS opt_elem2,
    fxd_slit AS slit,
    subarray,
    -- The name ends in the detector, the pipeline's suffix and the
    -- activity, at least two digits.
    MAP {
        'detector': detector,
        'act_id': CASE WHEN length(act_id) < 2 THEN lpad(act_id, 2, '0') ELSE act_id END
    } AS name_parts
FROM (
    SELECT
        *,
        stage3_target(item_candidate, exptype, targetid) AS target,
        -- s200a1/s200a2 name the slit but do not split associations.
        CASE WHEN fxd_slit IN ('s200a1', 's200a2') THEN NULL ELSE fxd_slit END AS slit_key,
        CASE
            WHEN exp_type IN ('nrc_image', 'mir_image', 'nis_image', 'fgs_image', 'nrs_mimf')
                AND patttype = 'wfsc'
                AND coalesce(dms_note <> 'wfsc_los_jitter', true)
                AND subarray IS NOT NULL
                AND detector IS NOT NULL
                AND obs_id IS NOT NULL
                AND act_id IS NOT NULL
                AND (exptype = 'background' OR stage3_target(item_candidate, exptype, targetid) IS NOT NULL)
                THEN 'science'
            WHEN exptype = 'target_acquisition' THEN 'acq'
        END AS role
    FROM (
        SELECT
            *,
            item_exptype AS exptype
        FROM items
        WHERE is_imprt IS NULL
    )
)
WHERE role IS NOT NULL
    AND program IS NOT NULL
    AND instrume IS NOT NULL
