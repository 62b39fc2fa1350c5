-- wanted: with -i, the candidates each pool runs, in the order asked
-- ($ids), then (--DMS, $dms) the background candidates listed on the rows
-- of the ids asked for (picked by substring, as the reference does), in
-- order of first appearance. `cand_type` is NULL where the pool lacks the id.
CREATE OR REPLACE TEMP TABLE wanted AS
WITH asked AS (
    SELECT
        unnest($ids) AS cand_id,
        generate_subscripts($ids, 1) AS k
),
backgrounds AS (
    SELECT
        c._pool,
        c.cand_id,
        len($ids) + row_number() OVER (
            PARTITION BY c._pool ORDER BY min(c._row * 1000 + c.cand_pos)
        ) AS k
    FROM candidates AS c
    JOIN exposures AS e USING (_row)
    WHERE $dms
        AND c.cand_type = 'background'
        AND NOT list_contains($ids, c.cand_id)
        AND list_bool_or(list_transform($ids, lambda i: contains(e.asn_candidate, i)))
    GROUP BY c._pool, c.cand_id
),
every_id AS (
    SELECT p._pool, a.k, a.cand_id FROM pools AS p CROSS JOIN asked AS a
    UNION ALL
    SELECT _pool, k, cand_id FROM backgrounds
)
SELECT
    w._pool,
    w.k,
    w.cand_id,
    -- An id listed under several types runs as the type seen first.
    arg_min(o.cand_type, o.first_type) AS cand_type
FROM every_id AS w
LEFT JOIN candidate_order AS o USING (_pool, cand_id)
GROUP BY w._pool, w.k, w.cand_id
