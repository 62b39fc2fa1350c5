-- name = "Asn_Lv3WFSSNIS"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the NIRISS wide-field slitless spectra of one target, grism and blocking filter; one product holds all sources."
-- groups_on = "program, instrument, filter (the grism), pupil; target when set (backgrounds set none)"
-- excludes = "anything but nis_wfss with filter 'gr150r', 'gr150c'; imprints"
-- attaches = "background exposures of the same grism (as `background`, any target); target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    * REPLACE (pupil AS opt_elem2, NULL::VARCHAR AS slit, NULL::VARCHAR AS subarray),
    [program, instrume, filter, pupil] AS group_key,
    [target] AS optional_key
FROM stage3_items
WHERE exp_type = 'nis_wfss'
    AND filter IN ('gr150r', 'gr150c')
    AND pupil IS NOT NULL
    AND (target IS NOT NULL OR exptype = 'background')
