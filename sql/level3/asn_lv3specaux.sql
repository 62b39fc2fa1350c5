-- name = "Asn_Lv3SpecAux"
-- asn_type = "spec3"
-- level = 3
-- shape = "group"
-- purpose = "Combine the background exposures of a MIRI LRS or NIRSpec fixed-slit background target as science."
-- groups_on = "program, instrument, exposure type, subarray, target; filter, pupil/grating, slit (s200a1/s200a2 do not split) when set"
-- excludes = "anything but background-target MIRI LRS fixed-slit and NIRSpec fixed-slit exposures; TSO, imprints"
-- attaches = "target acquisitions of the same observations"
-- product_name = "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
SELECT
    *,
    [program, instrume, exp_type, subarray] AS group_key,
    [target, filter, opt_elem2, slit_key] AS optional_key
FROM stage3_aux_items                               -- backgrounds taken as science
WHERE bkgdtarg = 't'
    AND exp_type IN ('mir_lrs-fixedslit', 'nrs_fixedslit')
    AND NOT item_is_tso
    AND subarray IS NOT NULL
    AND target IS NOT NULL
