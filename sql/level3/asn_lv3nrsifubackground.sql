-- name = "Asn_Lv3NRSIFUBackground"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the NIRSpec IFU exposures of a background target as science."
-- groups_on = "program, instrument, grating, target"
-- excludes = "anything but background-target NIRSpec IFU exposures; TSO, imprints, grating/filter combinations that cannot reach the exposure's detector"
-- attaches = "target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    run_id,
    _row,
    stage3_role(rule_match, exptype) AS role,
    exptype,
    stage3_expname(filename, exptype, exp_type, item_ints) AS expname,
    obs_num,
    [program, instrume, grating] AS group_key,
    [target] AS optional_key,
    [program, instrume] AS acq_key,                 -- an acquisition must share these
    target,
    instrume AS instrument,
    grating AS opt_elem,                            -- the grating alone names the optics
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
            bkgdtarg = 't'
            AND exp_type = 'nrs_ifu'
            AND NOT item_is_tso
            AND nrsifu_valid_detector(exp_type, grating, filter, detector)
            AND grating IS NOT NULL
            AND target IS NOT NULL,
            false
        ) AS rule_match
    FROM items
    WHERE is_imprt IS NULL
)
WHERE role IS NOT NULL
    AND program IS NOT NULL
    AND instrume IS NOT NULL
