-- name = "Asn_Lv3WFSSMIR"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the MIRI wide-field slitless prism spectra of one target; one product holds all sources."
-- groups_on = "program, instrument, filter (the grism), nothing else; target when set (backgrounds set none)"
-- excludes = "anything but mir_wfss with filter 'p750l'; imprints"
-- attaches = "background exposures of the same grism (as `background`, any target); target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    run_id,
    _row,
    stage3_role(rule_match, exptype) AS role,
    exptype,
    stage3_expname(filename, exptype, exp_type, item_ints) AS expname,
    obs_num,
    [program, instrume, filter] AS group_key,
    [target] AS optional_key,
    [program, instrume] AS acq_key,                 -- an acquisition must share these
    target,
    instrume AS instrument,
    filter AS opt_elem,
    NULL AS opt_elem2,
    NULL AS slit,
    NULL AS subarray
FROM (
    SELECT
        *,
        item_exptype AS exptype,
        stage3_target(item_candidate, exptype, targetid) AS target,
        coalesce(
            exp_type = 'mir_wfss'
            AND filter IN ('p750l')
            AND (target IS NOT NULL OR exptype = 'background'),
            false
        ) AS rule_match
    FROM items
    WHERE is_imprt IS NULL
)
WHERE role IS NOT NULL
    AND program IS NOT NULL
    AND instrume IS NOT NULL
