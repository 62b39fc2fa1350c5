-- name = "Asn_Lv2NRSMSA"
-- asn_type = "spec2"
-- level = 2
-- shape = "nod"
-- purpose = "Calibrate each NIRSpec MSA exposure, the other slitlet nods of its set as background."
-- groups_on = "program, instrument, detector, filter (or band), MSA metadata file, spectral index; pupil/grating, slit, subarray, channel, TSO visit as they are"
-- excludes = "exposures without MSA metadata file or spectral index; NIRSpec opaque-filter and wavefront-sensing exposures"
-- attaches = "other nods (as `background`) unless they share the science nod's primary position or target; backgrounds and imprints of the set"
SELECT
    run_id,
    _row,
    CASE WHEN exptype = 'science' THEN 'science' ELSE 'other' END AS role,
    exptype,
    stage2_expname(filename, item_ints) AS expname,
    [
        program, instrume, detector, coalesce(filter, band), msametfl, expspcin,
        tsovisit, coalesce(pupil, grating), fxd_slit, subarray, channel
    ] AS group_key,
    [expspcin] AS science_key,                         -- one nod set per group
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
WHERE exp_type = 'nrs_msaspec'
    AND msametfl IS NOT NULL
    AND expspcin IS NOT NULL
    AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
