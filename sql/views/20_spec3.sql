-- Macros of the Stage 3 spectroscopic rules.

-- NIRSpec IFU optical paths that reach a detector: (grating, filter, detector).
CREATE OR REPLACE MACRO nrsifu_optical_paths() AS [
    ['prism', 'clear', 'nrs1'],
    ['g140m', 'f070lp', 'nrs1'],
    ['g140m', 'f100lp', 'nrs1'],
    ['g235m', 'f170lp', 'nrs1'],
    ['g395m', 'f290lp', 'nrs1'],
    ['g140h', 'f070lp', 'nrs1'],
    ['g140h', 'f100lp', 'nrs1'],
    ['g140h', 'f100lp', 'nrs2'],
    ['g235h', 'f170lp', 'nrs1'],
    ['g235h', 'f170lp', 'nrs2'],
    ['g395h', 'f290lp', 'nrs1'],
    ['g395h', 'f290lp', 'nrs2']
];

