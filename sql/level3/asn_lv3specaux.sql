-- name = "Asn_Lv3SpecAux"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the background exposures of a MIRI LRS or NIRSpec fixed-slit background target as science."
-- groups_on = "program, instrument, exposure type, subarray, target; filter, pupil/grating, slit (s200a1/s200a2 do not split) when set"
-- excludes = "anything but background-target MIRI LRS fixed-slit and NIRSpec fixed-slit exposures; TSO, imprints"
-- attaches = "target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    run_id,
    _row,
    stage3_role(rule_match, exptype) AS role,
    exptype,
    stage3_expname(filename, exptype, exp_type, item_ints) AS expname,
    obs_num,
    [program, instrume, exp_type, subarray] AS group_key,
    [target, filter, coalesce(pupil, grating), slit_key] AS optional_key,
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
        -- Background exposures are this association's science.
        aux_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) AS exptype,
        stage3_target(item_candidate, exptype, targetid) AS target,
        -- s200a1/s200a2 name the slit but do not split associations.
        CASE WHEN fxd_slit IN ('s200a1', 's200a2') THEN NULL ELSE fxd_slit END AS slit_key,
        coalesce(
            bkgdtarg = 't'
            AND exp_type IN ('mir_lrs-fixedslit', 'nrs_fixedslit')
            AND NOT item_is_tso
            AND subarray IS NOT NULL
            AND target IS NOT NULL,
            false
        ) AS rule_match
    FROM items
    WHERE is_imprt IS NULL
)
WHERE role IS NOT NULL
    AND program IS NOT NULL
    AND instrume IS NOT NULL
