-- name = "Asn_Lv2SpecSpecial"
-- asn_type = "spec2"
-- level = 2
-- shape = "single_science_imprints"
-- purpose = "Calibrate each background or PSF spectrum on its own, as science, with the imprints taken alongside."
-- groups_on = "program, instrument, detector, filter (or band), exposure type, background/PSF flag; pupil/grating, slit, subarray, channel when set"
-- excludes = "exposures that are neither background nor PSF; NIRSpec IFU paths that miss the detector; NIRSpec opaque-filter and wavefront-sensing exposures"
-- attaches = "imprints of the same mode (as `imprint`, the first one pinning the mosaic tile), pruned to the science's target and dither point"
SELECT
    run_id,
    _row,
    CASE
        WHEN is_tiled_imprint AND science_before THEN 'attach'
        WHEN is_tiled_imprint THEN 'both'
        ELSE 'science'
    END AS role,
    CASE WHEN is_tiled_imprint AND science_before THEN 'imprint' ELSE 'science' END AS exptype,
    stage2_expname(filename, pntgtype, tsovisit, exp_type, subarray, pupil, detector) AS expname,
    group_key,
    [
        tsovisit,
        coalesce(pupil, grating),
        fxd_slit,
        subarray,
        channel,
        -- Only imprints pin the mosaic tile.
        CASE WHEN is_tiled_imprint THEN mostilno END
    ] AS optional_key,
    'imprint' AS queue,
    'imprint' AS attach_exptype,
    raw_targetid AS target_id,
    bkgdtarg AS background_flag,
    coalesce(dithptin, 'null') AS dither
FROM (
    SELECT
        *,
        -- An imprint with a mosaic tile joins the associations of its mode as
        -- imprint; one that no background or PSF of its mode precedes is
        -- also science of its own. Without a tile, it is only science.
        is_imprt IS NOT NULL AND mostilno IS NOT NULL AS is_tiled_imprint,
        coalesce(
            bool_or(is_imprt IS NULL) OVER (
                PARTITION BY run_id, group_key
                ORDER BY _row
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ),
            false
        ) AS science_before
    FROM (
        SELECT
            *,
            [program, instrume, detector, coalesce(filter, band), exp_type, coalesce(bkgdtarg, is_psf)] AS group_key
        FROM items
        WHERE list_contains(spec2_science_exp_types(), exp_type)
            AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
            AND nrsifu_valid_detector(exp_type, grating, filter, detector)
            AND coalesce(bkgdtarg, is_psf) IS NOT NULL
    )
)
