-- name = "Asn_Lv3AMI"
-- asn_type = "ami3"
-- level = 3
-- shape = "group"
-- purpose = "Combine NIRISS aperture-masking interferometry of one target with its PSF references."
-- groups_on = "program, instrument, subarray; filter, pupil, slit, target (science only) when set"
-- excludes = "imprints"
-- attaches = "PSF references and backgrounds of the same optical path; target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
-- valid_requires = ["psf"]
SELECT
    run_id,
    _row,
    role,
    exptype,
    stage3_expname(filename, exptype, exp_type, item_ints) AS expname,
    obs_num,
    [program, instrume, subarray] AS group_key,
    -- PSF references and backgrounds carry no target, so they join every
    -- target's association.
    [filter, coalesce(pupil, grating), slit_key, target] AS optional_key,
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
        science_target(exptype, targetid) AS target,
        -- s200a1/s200a2 name the slit but do not split associations.
        CASE WHEN fxd_slit IN ('s200a1', 's200a2') THEN NULL ELSE fxd_slit END AS slit_key,
        CASE
            WHEN exp_type = 'nis_ami'
                AND subarray IS NOT NULL
                AND (exptype <> 'science' OR targetid IS NOT NULL)
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
