-- name = "Asn_Lv2NRSLAMPSpectral"
-- asn_type = "nrslamp-spec2"
-- level = 2
-- shape = "single_science"
-- purpose = "Calibrate each NIRSpec spectral lamp, auto-flat or auto-wave exposure on its own, as science."
-- groups_on = "one association per lamp exposure (program, exposure type, lamp; TSO visit when set)"
-- excludes = "filters other than OPAQUE; grating/lamp paths that miss the detector; MSA lamps without an MSA file; the mirror, grating-only mode and NOLAMP"
-- attaches = "nothing"
SELECT
    * REPLACE ('science' AS exptype, 'science' AS role),   -- each exposure its own science
    [program, exp_type, lamp] AS group_key,
    [tsovisit] AS optional_key
FROM stage2_items
WHERE exp_type IN ('nrs_autoflat', 'nrs_autowave', 'nrs_lamp')
    AND program IS NOT NULL
    AND filter = 'opaque'
    AND lamp IS NOT NULL
    AND nrslamp_valid_detector(opmode, grating, lamp, detector)
    AND (coalesce(opmode <> 'msaspec', true) OR msametfl IS NOT NULL)
    AND NOT coalesce(grating = 'mirror', false)
    AND NOT coalesce(opmode = 'grating-only', false)
    AND NOT coalesce(lamp = 'nolamp', false)
