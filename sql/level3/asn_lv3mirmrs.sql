-- name = "Asn_Lv3MIRMRS"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the MIRI MRS exposures of one target, all channels and bands, into cubes; calibration picks the optics."
-- groups_on = "program, instrument; target when set (backgrounds set none)"
-- excludes = "TSO, imprints"
-- attaches = "MRS background exposures (as `background`, any target); target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}"
SELECT
    * REPLACE (NULL::VARCHAR AS opt_elem, NULL::VARCHAR AS opt_elem2, NULL::VARCHAR AS slit, NULL::VARCHAR AS subarray),
    [program, instrume] AS group_key,
    [target] AS optional_key
FROM stage3_items
WHERE exp_type = 'mir_mrs'
    AND NOT item_is_tso
    AND (target IS NOT NULL OR exptype = 'background')
