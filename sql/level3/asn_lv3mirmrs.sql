-- name = "Asn_Lv3MIRMRS"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the MIRI MRS exposures of one target, all channels and bands, into cubes; calibration picks the optics."
-- groups_on = "program, instrument; target when set (backgrounds set none)"
-- excludes = "TSO, imprints"
-- attaches = "MRS background exposures (as `background`, any target); target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}"
SELECT
    run_id,
    _row,
    stage3_role(rule_match, exptype) AS role,
    exptype,
    stage3_expname(filename, exptype, exp_type, item_ints) AS expname,
    obs_num,
    [program, instrume] AS group_key,
    [target] AS optional_key,
    [program, instrume] AS acq_key,                 -- an acquisition must share these
    target,
    instrume AS instrument,
    NULL AS opt_elem,
    NULL AS opt_elem2,
    NULL AS slit,
    NULL AS subarray
FROM (
    SELECT
        *,
        item_exptype AS exptype,
        stage3_target(item_candidate, exptype, targetid) AS target,
        coalesce(
            exp_type = 'mir_mrs'
            AND NOT item_is_tso
            AND (target IS NOT NULL OR exptype = 'background'),
            false
        ) AS rule_match
    FROM items
    WHERE is_imprt IS NULL
)
WHERE role IS NOT NULL
    AND program IS NOT NULL
    AND instrume IS NOT NULL
