-- name = "Asn_Lv3WFSSMIR"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the MIRI wide-field slitless prism spectra of one target; one product holds all sources."
-- groups_on = "program, instrument, filter (the grism), nothing else; target when set (backgrounds set none)"
-- excludes = "anything but mir_wfss with filter 'p750l'; imprints"
-- attaches = "background exposures of the same grism (as `background`, any target); target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    * REPLACE (NULL::VARCHAR AS opt_elem2, NULL::VARCHAR AS slit, NULL::VARCHAR AS subarray),
    [program, instrume, filter] AS group_key,
    [target] AS optional_key
FROM stage3_items
WHERE exp_type = 'mir_wfss'
    AND filter IN ('p750l')
    AND (target IS NOT NULL OR exptype = 'background')
