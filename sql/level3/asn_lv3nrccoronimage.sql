-- name = "Asn_Lv3NRCCoronImage"
-- asn_type = "image3"
-- level = 3
-- shape = "group"
-- purpose = "Also combine NIRCam short-wave full-frame coronagraphic science as plain images."
-- groups_on = "program, instrument, target (science only); filter, pupil, slit when set"
-- excludes = "anything but short-wave full-frame NRC_CORON; backgrounds, PSF references flagged T, imprints"
-- attaches = "target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{subarray}-image3"
SELECT
    run_id,
    _row,
    role,
    exptype,
    -- Read as images: `cal`, not the coronagraphic `calints`.
    stage3_image_expname(filename, exptype, pntgtype, tsovisit, exp_type) AS expname,
    obs_num,
    [program, instrume, subarray] AS group_key,
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
            WHEN exp_type = 'nrc_coron'
                AND channel = 'short'
                AND subarray = 'full'
                AND bkgdtarg IS NULL
                -- Only the flag spelled `T` excludes a PSF reference.
                AND coalesce(is_psf <> 't', true)
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
