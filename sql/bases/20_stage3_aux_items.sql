-- view = true
--
-- stage3_aux_items: `stage3_items` for the auxiliary-data rules, which
-- combine backgrounds as their science: every member but a target
-- acquisition is science, named and reading files as science does, and
-- pins its own target.
SELECT
    * REPLACE (
        CASE WHEN exptype = 'target_acquisition' THEN exptype ELSE 'science' END AS exptype,
        stage3_expname(
            filename,
            CASE WHEN exptype = 'target_acquisition' THEN exptype ELSE 'science' END,
            exp_type,
            item_ints
        ) AS expname,
        CASE WHEN is_direct_image(item_candidate) THEN '000' ELSE targetid END AS target
    )
FROM stage3_items
