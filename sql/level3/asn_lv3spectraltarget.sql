-- name = "Asn_Lv3SpectralTarget"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the nodded MIRI LRS fixed-slit or NIRISS SOSS spectra of one target; each nod is the others' background."
-- groups_on = "program, instrument, subarray, nod pattern type; target, filter, pupil/grating, slit when set (backgrounds set no target)"
-- excludes = "anything but MIRI LRS fixed-slit and NIRISS SOSS in a 2-point, 4-point or along-slit nod; TSO, imprints"
-- attaches = "background exposures of the same optical path (as `background`, any target); target acquisitions of the same observations; with two or more science exposures, each science exposure again as a background (its `x1d`)"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
-- finalize = "nod_backgrounds"
SELECT
    *,
    [program, instrume, subarray, patttype] AS group_key,
    [target, filter, opt_elem2, slit_key] AS optional_key
FROM stage3_items
WHERE exp_type IN ('mir_lrs-fixedslit', 'nis_soss')
    AND patttype IN ('2-point-nod', '4-point-nod', 'along-slit-nod')
    AND NOT item_is_tso
    AND subarray IS NOT NULL
    AND (target IS NOT NULL OR exptype = 'background')
