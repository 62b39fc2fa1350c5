-- name = "Asn_Lv3SlitlessSpectral"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the NIRISS SOSS spectra of one target and optical path taken without a nod pattern."
-- groups_on = "program, instrument, subarray; target, filter, pupil/grating, slit when set (backgrounds set no target)"
-- excludes = "anything but NIRISS SOSS; exposures with a pattern type (Asn_Lv3SpectralTarget takes nods); TSO, imprints"
-- attaches = "background exposures of the same optical path (as `background`, any target); target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    *,
    [program, instrume, subarray] AS group_key,
    [target, filter, opt_elem2, slit_key] AS optional_key
FROM stage3_items
WHERE exp_type = 'nis_soss'
    AND patttype IS NULL                            -- nodded: Asn_Lv3SpectralTarget
    AND NOT item_is_tso
    AND subarray IS NOT NULL
    AND (target IS NOT NULL OR exptype = 'background')
