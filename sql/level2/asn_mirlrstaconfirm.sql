-- name = "Asn_MIRLRSTAConfirm"
-- asn_type = "spec2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each MIRI LRS slit or slitless spectrum on its own, with the backgrounds taken in the same mode."
-- groups_on = "program, instrument, detector, filter (or band), LRS exposure type; pupil/grating, slit, subarray, channel when set"
-- excludes = "anything but MIR_LRS-FIXEDSLIT and MIR_LRS-SLITLESS; time-series backgrounds; NIRSpec opaque-filter and wavefront-sensing exposures"
-- attaches = "background exposures of the same mode that are not time series (as `background`)"
SELECT
    run_id,
    _row,
    CASE WHEN exptype = 'science' THEN 'science' ELSE 'attach' END AS role,
    exptype,
    stage2_expname(filename, pntgtype, tsovisit, exp_type, subarray, pupil, detector) AS expname,
    [program, instrume, detector, coalesce(filter, band), exp_type] AS group_key,
    [tsovisit, coalesce(pupil, grating), fxd_slit, subarray, channel] AS optional_key
FROM (
    SELECT
        *,
        stage2_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) AS exptype
    FROM items
)
WHERE exp_type IN ('mir_lrs-slitless', 'mir_lrs-fixedslit')
    AND program IS NOT NULL
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    AND (
        exptype = 'science'
        -- Backgrounds join unless they are time series.
        OR (bkgdtarg IS NOT NULL AND NOT is_tso(pntgtype, tsovisit, exp_type))
    )
