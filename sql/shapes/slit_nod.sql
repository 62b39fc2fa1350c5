-- needs = ["run_id", "_row", "role", "exptype", "expname", "group_key", "patt"]
--
-- Shape "slit_nod": one association per science nod, with the nods taken
-- at other positions as background and the target-acquisition
-- confirmations of the pass (Stage 2 MIRI LRS slit nods).
--
-- Input view `rule_rows`:
--   run_id, _row, role ('science', 'nod' for nods that are not science
--   such as background targets, 'ta' for acquisition confirmations),
--   exptype, expname, group_key (list: must be equal), patt (the nod
--   position, `patt_num`).
-- As in the reference: a confirmation taken before any science creates an
-- association that the first science nod joins; every other science nod
-- creates its own. A nod whose position does not contain the science
-- position (the reference's "((?!p).)*" test) is background: taken later it
-- joins at once, taken earlier it joins when science nods are re-offered
-- to existing associations (phase 1; background-target nods are never
-- re-offered); the first background to join pins its position, so later
-- nods join only at that same position. Confirmations join at once, or at
-- the very end when taken
-- before the association existed (phase 2), as all acquisitions are.
WITH science AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY rule_rank, run_id, group_key ORDER BY _row) AS science_rank
    FROM rule_rows
    WHERE role = 'science'
),
first_ta AS (
    SELECT
        rule_rank,
        run_id,
        group_key,
        min(_row) AS _row
    FROM rule_rows
    WHERE role = 'ta'
    GROUP BY rule_rank, run_id, group_key
),
associations AS (
    SELECT
        s.rule_rank,
        s.run_id,
        s._row AS science_row,
        s.group_key,
        s.patt,
        CASE
            WHEN s.science_rank = 1 AND t._row < s._row THEN t._row
            ELSE s._row
        END AS creator_row
    FROM science AS s
    LEFT JOIN first_ta AS t
        ON t.rule_rank = s.rule_rank AND t.run_id = s.run_id AND t.group_key IS NOT DISTINCT FROM s.group_key
),
joined AS (
    SELECT
        a.rule_rank,
        a.run_id,
        a.science_row,
        a.creator_row,
        r._row,
        CASE WHEN r._row = a.science_row THEN 'science'
             WHEN r.role = 'science' THEN 'background'
             ELSE r.exptype END AS exptype,
        r.expname,
        r.patt,
        r._row <> a.science_row AND r.role IN ('science', 'nod') AS is_background,
        CASE
            WHEN r._row >= a.creator_row THEN 0
            WHEN r.role = 'ta' THEN 2
            ELSE 1
        END AS phase
    FROM associations AS a
    JOIN rule_rows AS r
        ON r.rule_rank = a.rule_rank AND r.run_id = a.run_id
        AND r.group_key IS NOT DISTINCT FROM a.group_key
    WHERE r._row = a.science_row
        OR r.role = 'ta'
        OR (
            r.role IN ('science', 'nod')
            AND NOT contains(r.patt, a.patt)
            AND (r._row > a.creator_row OR r.role = 'science')
        )
),
members AS (
    -- The first background to join pins its position: later ones must share it.
    SELECT *
    FROM joined
    QUALIFY NOT is_background
        OR patt = first_value(CASE WHEN is_background THEN patt END IGNORE NULLS) OVER (
            PARTITION BY rule_rank, run_id, science_row
            ORDER BY NOT is_background, phase, _row
            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
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
