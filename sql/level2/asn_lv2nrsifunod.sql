-- name = "Asn_Lv2NRSIFUNod"
-- asn_type = "spec2"
-- level = 2
-- shape = "nod"
-- purpose = "Calibrate each NIRSpec IFU exposure of a 2- or 4-point nod, the other nods as background."
-- groups_on = "program, instrument, detector, filter (or band), nod pattern, mosaic tile; pupil/grating, slit, subarray, channel, TSO visit as they are"
-- excludes = "IFU optical paths that put no light on the detector; other dither patterns; NIRSpec opaque-filter and wavefront-sensing exposures"
-- attaches = "every other nod of the set (as `background`); backgrounds and imprints of the set"
SELECT
    run_id,
    _row,
    CASE WHEN exptype = 'science' THEN 'science' ELSE 'other' END AS role,
    exptype,
    stage2_expname(filename, item_ints) AS expname,
    [
        program, instrume, detector, coalesce(filter, band), patttype, mostilno,
        tsovisit, coalesce(pupil, grating), fxd_slit, subarray, channel
    ] AS group_key,
    [mostilno] AS science_key,                         -- one nod set per group
    exp_type AS nod_exp_type,
    raw_targetid AS nod_target,
    pool_int(numdthpt) AS nod_numdthpt,
    pool_int(patt_num) AS nod_patt_num,
    coalesce(pool_int(subpxpts), pool_int(subpxpns)) AS nod_subpx,
    fxd_slit AS nod_slit,
    true AS prune_imprints,                                  -- the reference prunes surplus imprints of IFU nods
    raw_targetid AS imprint_target,
    coalesce(bkgdtarg = 't', false) AS imprint_bkg,
    dithptin AS imprint_dither
FROM (
    SELECT
        *,
        item_exptype2 AS exptype
    FROM items
)
WHERE exp_type = 'nrs_ifu'
    AND nrsifu_valid_detector(exp_type, grating, filter, detector)
    -- The reference's pattern test: starts with 2-point-nod, or is 4-point-nod.
    AND (starts_with(patttype, '2-point-nod') OR patttype = '4-point-nod')
    AND mostilno IS NOT NULL
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
