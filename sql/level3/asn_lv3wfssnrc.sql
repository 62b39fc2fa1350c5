-- name = "Asn_Lv3WFSSNRC"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the NIRCam wide-field slitless spectra of one target, grism and filter; one product holds all sources."
-- groups_on = "program, instrument, pupil (the grism), filter; target when set (backgrounds set none)"
-- excludes = "anything but nrc_wfss with pupil 'grismr', 'grismc'; imprints"
-- attaches = "background exposures of the same grism (as `background`, any target); target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    -- The grism names the optics first.
    * REPLACE (pupil AS opt_elem, filter AS opt_elem2, NULL::VARCHAR AS slit, NULL::VARCHAR AS subarray),
    [program, instrume, pupil, filter] AS group_key,
    [target] AS optional_key
FROM stage3_items
WHERE exp_type = 'nrc_wfss'
    AND pupil IN ('grismr', 'grismc')
    AND filter IS NOT NULL
    AND (target IS NOT NULL OR exptype = 'background')
