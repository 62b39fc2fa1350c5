-- name = "Asn_Lv2Image"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each science image on its own, with the backgrounds taken in the same mode."
-- groups_on = "program, instrument, detector, filter (or band), exposure type; TSO visit, pupil/grating, slit, subarray, channel when set"
-- excludes = "TSO exposures; NIRSpec opaque-filter, NIRCam long-wave TSO grism and wavefront-sensing exposures; non-science pointings"
-- attaches = "background exposures of the same mode (as `background`)"
SELECT
    run_id,
    _row,
    CASE WHEN exptype = 'science' THEN 'science' ELSE 'attach' END AS role,
    exptype,
    stage2_expname(filename, item_ints) AS expname,
    [program, instrume, detector, coalesce(filter, band), exp_type] AS group_key,
    [tsovisit, coalesce(pupil, grating), fxd_slit, subarray, channel] AS optional_key
FROM (
    SELECT
        *,
        item_exptype2 AS exptype
    FROM items
)
WHERE list_contains(image2_science_exp_types(), exp_type)
    AND NOT item_is_tso
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    -- Science joins as itself; a background exposure joins as background.
    AND (exptype = 'science' OR bkgdtarg IS NOT NULL)
