-- stage3_items: what every Stage 3 rule reads, worked out once.
--
-- The rows of `items` a Stage 3 association may hold: imprints and rows
-- without a program or instrument never are. Beside the pool keywords:
--   exptype, expname    the member's type and the Stage 2 file it reads;
--   target              the target it pins: 000 for a direct-image
--                       candidate, none for a background (which joins any
--                       target of its mode), else its target id;
--   science_target      the target only science is held to (coronagraphy,
--                       AMI: PSF references join every target);
--   slit_key            the slit as a grouping key (s200a1/s200a2 name the
--                       slit but do not split associations);
--   instrument, opt_elem, opt_elem2, slit   the product-name parts;
--   acq_key             what a target acquisition shares with its science.
SELECT
    *,
    item_exptype AS exptype,
    stage3_expname(filename, item_exptype, exp_type, item_ints) AS expname,
    CASE
        WHEN is_direct_image(item_candidate) THEN '000'
        WHEN item_exptype = 'background' THEN NULL
        ELSE targetid
    END AS target,
    CASE WHEN item_exptype = 'science' THEN targetid END AS science_target,
    CASE WHEN fxd_slit IN ('s200a1', 's200a2') THEN NULL ELSE fxd_slit END AS slit_key,
    instrume AS instrument,
    filter AS opt_elem,
    coalesce(pupil, grating) AS opt_elem2,
    fxd_slit AS slit,
    [program, instrume] AS acq_key
FROM items
WHERE is_imprt IS NULL
    AND program IS NOT NULL
    AND instrume IS NOT NULL
