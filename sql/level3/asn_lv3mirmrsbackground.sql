-- name = "Asn_Lv3MIRMRSBackground"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the MIRI MRS exposures of a background target as science."
-- groups_on = "program, instrument, target"
-- excludes = "anything but background-target MIRI MRS exposures; TSO, imprints"
-- attaches = "target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}"
SELECT
    * REPLACE (NULL::VARCHAR AS opt_elem, NULL::VARCHAR AS opt_elem2, NULL::VARCHAR AS slit, NULL::VARCHAR AS subarray),
    [program, instrume] AS group_key,
    [target] AS optional_key
FROM stage3_aux_items                               -- backgrounds taken as science
WHERE exp_type = 'mir_mrs'
    AND NOT item_is_tso
    AND bkgdtarg = 't'
    AND target IS NOT NULL
