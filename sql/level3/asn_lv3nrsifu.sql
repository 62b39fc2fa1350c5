-- name = "Asn_Lv3NRSIFU"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the NIRSpec IFU exposures of one target, grating and dither pattern into one cube."
-- groups_on = "program, instrument, pattern type, grating; target when set (backgrounds set none)"
-- excludes = "exposures without a pattern type; TSO, imprints, grating/filter combinations that cannot reach the exposure's detector"
-- attaches = "background exposures of the same grating and pattern (as `background`, any target); target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    -- The grating alone names the optics.
    * REPLACE (grating AS opt_elem, NULL::VARCHAR AS opt_elem2, NULL::VARCHAR AS slit, NULL::VARCHAR AS subarray),
    [program, instrume, patttype, grating] AS group_key,
    [target] AS optional_key
FROM stage3_items
WHERE exp_type IN ('nrs_autowave', 'nrs_ifu')
    AND nrsifu_valid_detector(exp_type, grating, filter, detector)
    AND patttype IS NOT NULL
    AND NOT item_is_tso
    AND grating IS NOT NULL
    AND (target IS NOT NULL OR exptype = 'background')
