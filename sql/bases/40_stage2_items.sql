-- view = true
--
-- stage2_items: what the Stage 2 rules share (a view: DuckDB works its
-- columns out only for the rows a rule keeps).
--
-- Beside the pool keywords:
--   exptype       the Stage 2 member type (a PSF is calibrated as science);
--   expname       the Stage 2 input it reads: `rate`, `rateints` per integration;
--   role          `science` for science, else `attach` (it joins the science
--                 of its group);
--   mode_key      program, instrument, detector, filter (or band), exposure
--                 type: the mode the imaging and spectral rules group on;
--   mode_options  TSO visit, pupil (or grating), slit, subarray, channel:
--                 they pin only when set.
SELECT
    *,
    item_exptype2 AS exptype,
    stage2_expname(filename, item_ints) AS expname,
    CASE WHEN item_exptype2 = 'science' THEN 'science' ELSE 'attach' END AS role,
    [program, instrume, detector, coalesce(filter, band), exp_type] AS mode_key,
    [tsovisit, coalesce(pupil, grating), fxd_slit, subarray, channel] AS mode_options
FROM items
