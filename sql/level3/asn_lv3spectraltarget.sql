-- name = "Asn_Lv3SpectralTarget"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the nodded MIRI LRS fixed-slit or NIRISS SOSS spectra of one target; each nod is the others' background."
-- groups_on = "program, instrument, subarray, nod pattern type; target, filter, pupil/grating, slit when set (backgrounds set no target)"
-- excludes = "anything but MIRI LRS fixed-slit and NIRISS SOSS in a 2-point, 4-point or along-slit nod; TSO, imprints"
-- attaches = "background exposures of the same optical path (as `background`, any target); target acquisitions of the same observations; with two or more science exposures, each science exposure again as a background (its `x1d`)"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
-- finalize = "nod_backgrounds"
SELECT
    run_id,
    _row,
    stage3_role(rule_match, exptype) AS role,
    exptype,
    stage3_expname(filename, exptype, exp_type, item_ints) AS expname,
    obs_num,
    [program, instrume, subarray, patttype] AS group_key,
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
        item_exptype AS exptype,
        stage3_target(item_candidate, exptype, targetid) AS target,
        -- s200a1/s200a2 name the slit but do not split associations.
        CASE WHEN fxd_slit IN ('s200a1', 's200a2') THEN NULL ELSE fxd_slit END AS slit_key,
        coalesce(
            exp_type IN ('mir_lrs-fixedslit', 'nis_soss')
            AND patttype IN ('2-point-nod', '4-point-nod', 'along-slit-nod')
            AND NOT item_is_tso
            AND subarray IS NOT NULL
            AND (target IS NOT NULL OR exptype = 'background'),
            false
        ) AS rule_match
    FROM items
    WHERE is_imprt IS NULL
)
WHERE role IS NOT NULL
    AND program IS NOT NULL
    AND instrume IS NOT NULL
