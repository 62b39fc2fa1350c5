-- needs = ["run_id", "_row", "role", "exptype", "expname", "group_key", "optional_key"]
-- optional = []
--
-- Shape "single_science": one association per science exposure (Stage 2).
--
-- Input view `rule_rows` (one row per run and exposure the rule accepts):
--   run_id, _row, role ('science' or 'attach'), exptype, expname,
--   group_key (list: must be equal), optional_key (list: NULL = not set).
-- Attached rows (backgrounds) join every association of their group.
-- The reference creates an association from the first accepted row; when
-- that row is an attached one, the first science row joins it instead of
-- starting its own, so that association lists the early attachments first.
-- Rows that join an association created after them come last (phase 1), in
-- pool order, as the reference's re-processing queue adds them.
WITH science AS (
    SELECT
        rule_rank,
        run_id,
        _row,
        group_key,
        optional_key,
        row_number() OVER (PARTITION BY rule_rank, run_id, group_key ORDER BY _row) AS science_rank
    FROM rule_rows
    WHERE role = 'science'
),
first_row AS (
    SELECT
        rule_rank,
        run_id,
        group_key,
        min(_row) AS _row,
        arg_min(role, _row) AS role
    FROM rule_rows
    GROUP BY rule_rank, run_id, group_key
),
associations AS (
    SELECT
        s.rule_rank,
        s.run_id,
        s._row AS science_row,
        s.group_key,
        s.optional_key,
        CASE
            WHEN s.science_rank = 1 AND f.role = 'attach' AND f._row < s._row THEN f._row
            ELSE s._row
        END AS creator_row
    FROM science AS s
    JOIN first_row AS f USING (rule_rank, run_id, group_key)
),
members AS (
    SELECT
        a.rule_rank,
        a.run_id,
        a.science_row,
        a.creator_row,
        r._row,
        r.exptype,
        r.expname,
        CASE WHEN r._row >= a.creator_row THEN 0 ELSE 1 END AS phase
    FROM associations AS a
    JOIN rule_rows AS r
        ON r.rule_rank = a.rule_rank AND r.run_id = a.run_id
        AND r.group_key = a.group_key
        AND (
            r._row = a.science_row
            OR (r.role = 'attach' AND keys_agree(r.optional_key, a.optional_key))
        )
)
SELECT
    rule_rank,
    run_id,
    science_row AS asn_key,      -- identifies the association within its run
    creator_row,                 -- pool row that created it (creation order)
    _row,
    exptype,
    expname,
    row_number() OVER (PARTITION BY rule_rank, run_id, science_row ORDER BY phase, _row) AS member_order
FROM members
UNION ALL
-- Groups without science (see the macro).
SELECT * FROM groups_without_science(rule_rows, ['science'])
