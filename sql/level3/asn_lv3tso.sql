-- name = "Asn_Lv3TSO"
-- asn_type = "tso3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the time-series exposures of one observation, per target, exposure type and optical path."
-- groups_on = "program, instrument, exposure type, subarray; filter, pupil/grating, slit, target (not backgrounds) when set"
-- excludes = "non-TSO exposures, IFU, imprints; NIRCam grism engineering modes (CLEAR/DHS pupil, module B long, DHS subarrays); NIRISS SOSS with one integration or an uncalibrated filter; NIRSpec bright-object paths that miss the detector; candidates other than observations"
-- attaches = "backgrounds of the same mode; target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
-- valid_candidate_types = ["observation"]
SELECT
    run_id,
    _row,
    role,
    exptype,
    stage3_expname(filename, exptype, exp_type, item_ints) AS expname,
    obs_num,
    [program, instrume, exp_type, subarray] AS group_key,
    -- Backgrounds carry no target, so they join every target's association.
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
        stage3_target(item_candidate, exptype, targetid) AS target,
        -- s200a1/s200a2 name the slit but do not split associations.
        CASE WHEN fxd_slit IN ('s200a1', 's200a2') THEN NULL ELSE fxd_slit END AS slit_key,
        CASE
            WHEN item_is_tso
                AND exp_type IS NOT NULL
                AND subarray IS NOT NULL
                AND (exptype = 'background' OR stage3_target(item_candidate, exptype, targetid) IS NOT NULL)
                -- IFU data is not processed as a time series.
                AND exp_type NOT IN ('mir_mrs', 'mir_flatmrs', 'nrs_autowave', 'nrs_ifu')
                AND NOT coalesce(exp_type = 'nrc_tsgrism' AND pupil IN ('clear', 'gdhs0', 'gdhs60'), false)
                AND NOT coalesce(exp_type = 'nrc_tsgrism' AND detector = 'nrcblong', false)
                AND subarray NOT IN (
                    'sub260stripe4_dhs', 'sub41stripe1_dhs', 'sub82stripe2_dhs', 'sub164stripe4_dhs'
                )
                AND NOT coalesce(exp_type = 'nis_soss' AND nints = '1', false)
                AND NOT (exp_type = 'nis_soss' AND coalesce(filter = 'f277w', true))
                AND NOT (
                    exp_type = 'nrs_brightobj'
                    AND NOT nrsfss_valid_detector(fxd_slit, grating, filter, detector)
                )
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
