-- name = "Asn_Lv3SlitlessSpectral"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the NIRISS SOSS spectra of one target and optical path taken without a nod pattern."
-- groups_on = "program, instrument, subarray; target, filter, pupil/grating, slit when set (backgrounds set no target)"
-- excludes = "anything but NIRISS SOSS; exposures with a pattern type (Asn_Lv3SpectralTarget takes nods); TSO, imprints"
-- attaches = "background exposures of the same optical path (as `background`, any target); target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    run_id,
    _row,
    stage3_role(rule_match, exptype) AS role,
    exptype,
    stage3_expname(filename, exptype, exp_type, item_ints) AS expname,
    obs_num,
    [program, instrume, subarray] AS group_key,
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
            exp_type = 'nis_soss'
            -- Nodded observations belong to Asn_Lv3SpectralTarget.
            AND patttype IS NULL
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
