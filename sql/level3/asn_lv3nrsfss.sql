-- name = "Asn_Lv3NRSFSS"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the NIRSpec fixed-slit spectra of one target and optical path; the pipeline splits them by source and slit."
-- groups_on = "program, instrument, subarray; target, filter, pupil/grating, slit (s200a1/s200a2 do not split) when set"
-- excludes = "TSO, imprints, slit/grating/filter combinations that cannot reach the exposure's detector"
-- attaches = "background exposures of the same optical path (as `background`, any target); target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}-{source_id}_{instrument}_{opt_elem}-{slit_name}{subarray}"
SELECT
    *,
    [program, instrume, subarray] AS group_key,
    [target, filter, opt_elem2, slit_key] AS optional_key
FROM stage3_items
WHERE exp_type IN ('nrs_autoflat', 'nrs_autowave', 'nrs_fixedslit')
    AND NOT item_is_tso
    AND nrsfss_valid_detector(fxd_slit, grating, filter, detector)
    AND subarray IS NOT NULL
    AND (target IS NOT NULL OR exptype = 'background')
