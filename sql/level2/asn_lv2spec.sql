-- name = "Asn_Lv2Spec"
-- asn_type = "spec2"
-- level = 2
-- shape = "single_science_imprints"
-- purpose = "Calibrate each single-target spectrum on its own, with the backgrounds and imprints taken in the same mode."
-- groups_on = "program, instrument, detector, filter (or band), exposure type; TSO visit, pupil/grating, slit, subarray, channel when set; mosaic tile for science and imprints (a background joins any tile)"
-- excludes = "WFSS, fixed-slit, MSA and MIRI LRS exposures; time series; nod patterns; NIRSpec IFU paths that miss the detector; NIRSpec opaque-filter and wavefront-sensing exposures"
-- attaches = "background exposures of the same mode (as `background`, or `imprint` when flagged so); imprints of the same mode and tile (as `imprint`), pruned to the science's target and dither point"
SELECT
    run_id,
    _row,
    CASE WHEN bkgdtarg IS NULL AND exptype = 'science' THEN 'science' ELSE 'attach' END AS role,
    exptype,
    stage2_expname(filename, item_ints) AS expname,
    [program, instrume, detector, coalesce(filter, band), exp_type] AS group_key,
    [
        tsovisit,
        coalesce(pupil, grating),
        fxd_slit,
        subarray,
        channel,
        -- A background joins on any tile; science and imprints share theirs.
        CASE WHEN bkgdtarg IS NULL THEN mostilno END
    ] AS optional_key,
    CASE WHEN bkgdtarg IS NOT NULL THEN 'background' ELSE 'imprint' END AS queue,
    NULL::VARCHAR AS attach_exptype,
    raw_targetid AS target_id,
    bkgdtarg AS background_flag,
    coalesce(dithptin, 'null') AS dither
FROM (
    SELECT
        *,
        item_exptype2 AS exptype
    FROM items
)
WHERE exp_type IN ('mir_mrs', 'mir_wfss', 'nis_soss', 'nrc_tsgrism', 'nrs_ifu', 'nrs_brightobj')
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    AND NOT item_is_tso
    AND NOT coalesce(regexp_full_match(patttype, '2-point-nod|4-point-nod|along-slit-nod'), false)
    AND nrsifu_valid_detector(exp_type, grating, filter, detector)
    AND (
        -- Backgrounds join whatever their tile.
        bkgdtarg IS NOT NULL
        -- Science and imprints need a mosaic tile.
        OR (exptype IN ('science', 'imprint') AND mostilno IS NOT NULL)
    )
