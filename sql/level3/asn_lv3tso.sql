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
    *,
    [program, instrume, exp_type, subarray] AS group_key,
    -- Backgrounds carry no target, so they join every target's association.
    [filter, opt_elem2, slit_key, target] AS optional_key
FROM stage3_items
WHERE item_is_tso
    AND exp_type IS NOT NULL
    AND subarray IS NOT NULL
    AND (exptype = 'background' OR target IS NOT NULL)
    -- IFU data is not processed as a time series.
    AND exp_type NOT IN ('mir_mrs', 'mir_flatmrs', 'nrs_autowave', 'nrs_ifu')
    -- NIRCam grism engineering modes: CLEAR/DHS pupils, module B long, DHS subarrays.
    AND NOT coalesce(exp_type = 'nrc_tsgrism' AND pupil IN ('clear', 'gdhs0', 'gdhs60'), false)
    AND NOT coalesce(exp_type = 'nrc_tsgrism' AND detector = 'nrcblong', false)
    AND subarray NOT IN ('sub260stripe4_dhs', 'sub41stripe1_dhs', 'sub82stripe2_dhs', 'sub164stripe4_dhs')
    -- NIRISS SOSS: one integration, or an uncalibrated filter.
    AND NOT coalesce(exp_type = 'nis_soss' AND nints = '1', false)
    AND NOT (exp_type = 'nis_soss' AND coalesce(filter = 'f277w', true))
    -- NIRSpec bright-object paths that miss the detector.
    AND NOT (exp_type = 'nrs_brightobj' AND NOT nrsfss_valid_detector(fxd_slit, grating, filter, detector))
