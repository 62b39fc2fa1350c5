-- Parts the shapes (sql/shapes/) share.

-- The members of each group (`group_key`) of a shape's rows that has no
-- science row (`role` in `science_roles`): the reference's first row of such
-- a group still creates an association, which the group's other rows join.
-- It never has science, so it is never written, but it takes a sequence
-- number when the run is not finalised. Columns as a shape returns them.
CREATE OR REPLACE MACRO groups_without_science(rows, science_roles) AS TABLE
SELECT
    rule_rank,
    run_id,
    -1 - min(_row) OVER g AS asn_key,
    min(_row) OVER g AS creator_row,
    _row,
    exptype,
    expname,
    row_number() OVER (g ORDER BY _row) AS member_order
FROM query_table(rows)
WINDOW g AS (PARTITION BY rule_rank, run_id, group_key)
QUALIFY NOT bool_or(list_contains(science_roles, role)) OVER g;

-- The imprints the reference prunes from Stage 2 spectral associations, as
-- (rule_rank, run_id, science_row, _row), over `members` (rule_rank, run_id,
-- science_row, _row, exptype, is_bkg, target_id, dither). Only imprints
-- with the science's background flag are weighed; those off the science's
-- target go when some are on it; then, when more imprints than science
-- remain, those off the science's dither point go (if any is on it).
CREATE OR REPLACE MACRO pruned_imprints(members) AS TABLE
WITH science_of AS (
    SELECT
        rule_rank,
        run_id,
        science_row,
        count(*) AS n_science,
        bool_or(is_bkg) AS science_is_bkg,
        list(target_id) AS targets,
        list(dither) AS dithers
    FROM query_table(members)
    WHERE exptype = 'science'
    GROUP BY rule_rank, run_id, science_row
),
weighed AS (
    SELECT
        j.rule_rank,
        j.run_id,
        j.science_row,
        j._row,
        list_contains(s.targets, j.target_id) AS on_target,
        list_contains(s.dithers, j.dither) AS on_dither,
        s.n_science,
        bool_or(list_contains(s.targets, j.target_id))
            OVER (PARTITION BY j.rule_rank, j.run_id, j.science_row) AS any_on_target
    FROM query_table(members) AS j
    JOIN science_of AS s USING (rule_rank, run_id, science_row)
    WHERE j.exptype = 'imprint'
        AND j.is_bkg = s.science_is_bkg
),
by_dither AS (
    SELECT
        *,
        count(*) OVER (PARTITION BY rule_rank, run_id, science_row) AS n_left,
        bool_or(coalesce(on_dither, false))
            OVER (PARTITION BY rule_rank, run_id, science_row) AS any_on_dither
    FROM weighed
    WHERE on_target OR NOT any_on_target
)
SELECT rule_rank, run_id, science_row, _row
FROM weighed
WHERE any_on_target AND NOT on_target
UNION ALL
SELECT rule_rank, run_id, science_row, _row
FROM by_dither
WHERE n_science >= 1
    AND n_science < n_left
    AND any_on_dither
    AND NOT coalesce(on_dither, false);
