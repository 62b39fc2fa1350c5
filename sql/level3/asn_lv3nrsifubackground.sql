-- name = "Asn_Lv3NRSIFUBackground"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the NIRSpec IFU exposures of a background target as science."
-- groups_on = "program, instrument, grating, target"
-- excludes = "anything but background-target NIRSpec IFU exposures; TSO, imprints, grating/filter combinations that cannot reach the exposure's detector"
-- attaches = "target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    -- The grating alone names the optics.
    * REPLACE (grating AS opt_elem, NULL::VARCHAR AS opt_elem2, NULL::VARCHAR AS slit, NULL::VARCHAR AS subarray),
    [program, instrume, grating] AS group_key,
    [target] AS optional_key
FROM stage3_aux_items                               -- backgrounds taken as science
WHERE bkgdtarg = 't'
    AND exp_type = 'nrs_ifu'
    AND NOT item_is_tso
    AND nrsifu_valid_detector(exp_type, grating, filter, detector)
    AND grating IS NOT NULL
    AND target IS NOT NULL
