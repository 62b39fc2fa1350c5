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
