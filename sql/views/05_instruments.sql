-- Which detectors an instrument configuration lights, as the reference lists
-- them; rules use these to skip exposures whose detector would see nothing.
-- Exposures lacking a keyword a test needs fail it, as in the reference.

-- NIRSpec fixed-slit optical paths that put light on a detector, as
-- (slit, grating, filter, detector); every A slit counts as 'a'.
CREATE OR REPLACE MACRO nrsfss_optical_paths() AS [
    ['a', 'prism', 'clear', 'nrs1'],
    ['a', 'g395h', 'f290lp', 'nrs1'],
    ['a', 'g395h', 'f290lp', 'nrs2'],
    ['a', 'g235h', 'f170lp', 'nrs1'],
    ['a', 'g235h', 'f170lp', 'nrs2'],
    ['a', 'g140h', 'f100lp', 'nrs1'],
    ['a', 'g140h', 'f100lp', 'nrs2'],
    ['a', 'g140h', 'f070lp', 'nrs1'],
    ['a', 'g395m', 'f290lp', 'nrs1'],
    ['a', 'g235m', 'f170lp', 'nrs1'],
    ['a', 'g140m', 'f100lp', 'nrs1'],
    ['a', 'g140m', 'f070lp', 'nrs1'],
    ['s200b1', 'prism', 'clear', 'nrs2'],
    ['s200b1', 'g395h', 'f290lp', 'nrs2'],
    ['s200b1', 'g235h', 'f170lp', 'nrs2'],
    ['s200b1', 'g140h', 'f100lp', 'nrs2'],
    ['s200b1', 'g140h', 'f070lp', 'nrs1'],
    ['s200b1', 'g140h', 'f070lp', 'nrs2'],
    ['s200b1', 'g395m', 'f290lp', 'nrs2'],
    ['s200b1', 'g235m', 'f170lp', 'nrs2'],
    ['s200b1', 'g140m', 'f100lp', 'nrs2'],
    ['s200b1', 'g140m', 'f070lp', 'nrs1'],
    ['s200b1', 'g140m', 'f070lp', 'nrs2']
];

-- A fixed-slit exposure whose slit, grating and filter can reach its
-- detector; an exposure lacking any of the four never can.
CREATE OR REPLACE MACRO nrsfss_valid_detector(fxd_slit, grating, filter, detector) AS
    coalesce(
        list_contains(
            nrsfss_optical_paths(),
            [CASE WHEN fxd_slit = 's200b1' THEN 's200b1' ELSE 'a' END, grating, filter, detector]
        ),
        false
    )
    AND fxd_slit IS NOT NULL;

-- NIRSpec IFU: (grating, filter, detector). Other exposure types pass.
CREATE OR REPLACE MACRO nrsifu_valid_detector(exp_type, grating, filter, detector) AS
    coalesce(exp_type <> 'nrs_ifu', true)
    OR coalesce(
        list_contains([
            'prism|clear|nrs1', 'g140m|f070lp|nrs1', 'g140m|f100lp|nrs1',
            'g235m|f170lp|nrs1', 'g395m|f290lp|nrs1', 'g140h|f070lp|nrs1',
            'g140h|f100lp|nrs1', 'g140h|f100lp|nrs2', 'g235h|f170lp|nrs1',
            'g235h|f170lp|nrs2', 'g395h|f290lp|nrs1', 'g395h|f290lp|nrs2'
        ], grating || '|' || filter || '|' || detector),
        false
    );

-- NIRSpec lamp exposures: whether the grating and lamp light the detector.
-- MSA lamps light both detectors; IFU and fixed-slit lamps depend on the path.
CREATE OR REPLACE MACRO nrslamp_valid_detector(opmode, grating, lamp, detector) AS
    coalesce(
        CASE
            WHEN detector IS NULL OR grating IS NULL OR opmode IS NULL THEN false
            WHEN opmode = 'msaspec' THEN true
            WHEN lamp IS NULL THEN false
            WHEN opmode = 'ifu' THEN
                grating IN ('g395h', 'g235h')
                OR (grating IN ('g395m', 'g235m', 'g140m') AND detector = 'nrs1')
                OR (grating = 'prism' AND detector = 'nrs1')
                OR (grating = 'g140h' AND NOT (detector = 'nrs2' AND lamp = 'flat4'))
            WHEN opmode = 'fixedslit' THEN
                list_contains([
                    'prism|line4', 'prism|flat5', 'prism|test', 'g395h|flat3',
                    'g395h|line3', 'g235h|flat2', 'g235h|line2', 'g140h|flat1',
                    'g140h|ref', 'g140h|line1', 'g140h|flat4', 'g395m|flat3',
                    'g395m|line3', 'g235m|flat2', 'g235m|line2', 'g140m|flat1',
                    'g140m|line1', 'g140m|flat4'
                ], grating || '|' || lamp)
                AND detector IN ('nrs1', 'nrs2')
            ELSE false
        END,
        false
    );

-- NIRCam coronagraphy: full-frame detectors that hold no occulted target.
CREATE OR REPLACE MACRO nrccoron_valid_detector(subarray, pupil, detector) AS
    detector IS NOT NULL
    AND subarray IS NOT NULL
    AND pupil IS NOT NULL
    AND NOT (
        subarray = 'full'
        AND (
            (pupil = 'maskbar' AND detector IN ('nrca1', 'nrca2', 'nrca3'))
            OR (pupil = 'maskrnd' AND detector IN ('nrca1', 'nrca3', 'nrca4'))
        )
    );

-- NIRISS SOSS is calibrated for every filter but F277W (and needs a filter).
CREATE OR REPLACE MACRO nissoss_calibrated_filter(exp_type, filter) AS
    coalesce(exp_type <> 'nis_soss', true)
    OR coalesce(filter <> 'f277w', false);
