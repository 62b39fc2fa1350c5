-- name = "Asn_Lv3SpectralSource"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the NIRSpec MSA spectra of one target and optical path; the pipeline splits them by source."
-- groups_on = "program, instrument, subarray; target, filter, pupil/grating, slit when set (backgrounds set no target)"
-- excludes = "anything but NIRSpec MSA exposures with an MSA file and NIRSpec autoflat/autowave; TSO, imprints"
-- attaches = "background exposures of the same optical path (as `background`, any target); target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{source_id}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    *,
    [program, instrume, subarray] AS group_key,
    [target, filter, opt_elem2, slit_key] AS optional_key
FROM stage3_items
WHERE (
        exp_type IN ('nrs_autoflat', 'nrs_autowave')
        OR (exp_type = 'nrs_msaspec' AND msametfl IS NOT NULL)
    )
    AND NOT item_is_tso
    AND subarray IS NOT NULL
    AND (target IS NOT NULL OR exptype = 'background')
