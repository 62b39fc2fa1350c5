-- name = "Asn_Lv2NRSFSS"
-- asn_type = "spec2"
-- level = 2
-- shape = "nod"
-- purpose = "Calibrate each NIRSpec fixed-slit exposure, the other along-slit nods of its set as background."
-- groups_on = "program, instrument, detector, filter (or band), pupil/grating, slit, subarray, channel, TSO visit; science also on spectral index, nod count and subpixel points"
-- excludes = "optical paths that put no light on the detector; science without spectral index, nod count or subpixel points; NIRSpec opaque-filter and wavefront-sensing exposures"
-- attaches = "other nods (as `background`) unless they overlap the science nod; backgrounds and imprints taken after the set began"
SELECT
    run_id,
    _row,
    CASE WHEN exptype = 'science' THEN 'science' ELSE 'other' END AS role,
    exptype,
    stage2_expname(filename, item_ints) AS expname,
    [
        program, instrume, detector, coalesce(filter, band), coalesce(pupil, grating),
        fxd_slit, subarray, channel, tsovisit
    ] AS group_key,
    -- Only science pins these: backgrounds of any nod pattern join.
    CASE WHEN exptype = 'science' THEN [expspcin, numdthpt, coalesce(subpxpns, subpxpts)] END
        AS science_key,
    exp_type AS nod_exp_type,
    raw_targetid AS nod_target,
    pool_int(numdthpt) AS nod_numdthpt,
    pool_int(patt_num) AS nod_patt_num,
    coalesce(pool_int(subpxpts), pool_int(subpxpns)) AS nod_subpx,
    fxd_slit AS nod_slit,
    false AS prune_imprints,                                 -- no imprint pruning
    raw_targetid AS imprint_target,
    coalesce(bkgdtarg = 't', false) AS imprint_bkg,
    dithptin AS imprint_dither
FROM (
    SELECT
        *,
        item_exptype2 AS exptype
    FROM items
)
WHERE exp_type = 'nrs_fixedslit'
    AND nrsfss_valid_detector(fxd_slit, grating, filter, detector)
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
    AND (
        exptype <> 'science'
        OR (expspcin IS NOT NULL AND numdthpt IS NOT NULL AND coalesce(subpxpns, subpxpts) IS NOT NULL)
    )
