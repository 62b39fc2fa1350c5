-- name = "Asn_Lv3MIRMRSBackground"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the MIRI MRS exposures of a background target as science."
-- groups_on = "program, instrument, target"
-- excludes = "anything but background-target MIRI MRS exposures; TSO, imprints"
-- attaches = "target acquisitions of the same observations"
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
        -- Background exposures are this association's science.
        aux_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) AS exptype,
        stage3_target(item_candidate, exptype, targetid) AS target,
        coalesce(
            exp_type = 'mir_mrs'
            AND NOT item_is_tso
            AND bkgdtarg = 't'
            AND target IS NOT NULL,
            false
        ) AS rule_match
    FROM items
    WHERE is_imprt IS NULL
)
WHERE role IS NOT NULL
    AND program IS NOT NULL
    AND instrume IS NOT NULL
