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
    *,
    [program, instrume, exp_type, subarray, detector, obs_id, act_id] AS group_key,
    -- Backgrounds carry no target, so they join every target's association.
    [filter, opt_elem2, slit_key, target] AS optional_key,
    -- The name ends in the detector and the activity, at least two digits.
    MAP {
        'detector': detector,
        'act_id': CASE WHEN length(act_id) < 2 THEN lpad(act_id, 2, '0') ELSE act_id END
    } AS name_parts
FROM stage3_items
WHERE exp_type IN ('nrc_image', 'mir_image', 'nis_image', 'fgs_image', 'nrs_mimf')
    AND patttype = 'wfsc'
    AND coalesce(dms_note <> 'wfsc_los_jitter', true)
    AND subarray IS NOT NULL
    AND detector IS NOT NULL
    AND obs_id IS NOT NULL
    AND act_id IS NOT NULL
    AND (exptype = 'background' OR target IS NOT NULL)
