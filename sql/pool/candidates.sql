-- candidates: one row per (exposure, candidate) listed in `asn_candidate`.
--
-- The cell is a list of ('id', 'type') pairs. It is read as text, never
-- evaluated. A cell holding a bare integer is a candidate of type `unknown`,
-- as the reference counts it; any other cell that is not such a list names
-- no candidate.
CREATE OR REPLACE TABLE candidates AS
WITH cells AS (
    SELECT
        _row,
        asn_candidate AS cell
    FROM pool
    WHERE asn_candidate IS NOT NULL
),
listed AS (
    SELECT
        _row,
        regexp_extract_all(cell, '\(\s*''[^'']*''\s*,\s*''[^'']*''\s*\)') AS pairs
    FROM cells
    WHERE regexp_full_match(
        cell, '\[\s*(\(\s*''[^'']*''\s*,\s*''[^'']*''\s*\)\s*,?\s*)*\]'
    )
),
pairs AS (
    SELECT
        _row,
        unnest(pairs) AS pair,
        generate_subscripts(pairs, 1) AS cand_pos
    FROM listed
)
SELECT
    _row,                                                             -- pool row
    cand_pos,                                                         -- 1-based place in the cell
    regexp_extract(pair, '''([^'']*)''\s*,', 1) AS cand_id,           -- e.g. o001, c1000
    regexp_extract(pair, ',\s*''([^'']*)''', 1) AS cand_type          -- e.g. observation, mosaic
FROM pairs
UNION ALL
SELECT
    _row,
    1 AS cand_pos,
    CAST(CAST(trim(cell) AS HUGEINT) AS VARCHAR) AS cand_id,
    'unknown' AS cand_type
FROM cells
WHERE regexp_full_match(trim(cell), '[+-]?\d+');

-- candidate_order: every distinct candidate in the order the reference
-- generates them: candidate types by first appearance in the pool, then ids
-- by first appearance within their type.
CREATE OR REPLACE TABLE candidate_order AS
WITH firsts AS (
    SELECT
        cand_id,
        cand_type,
        min(_row * 1000 + cand_pos) AS first_id
    FROM candidates
    GROUP BY cand_id, cand_type
),
type_firsts AS (
    SELECT
        cand_type,
        min(first_id) AS first_type
    FROM firsts
    GROUP BY cand_type
)
SELECT
    row_number() OVER (ORDER BY t.first_type, f.first_id) AS cand_rank,
    f.cand_id,
    f.cand_type,
    t.first_type
FROM firsts AS f
JOIN type_firsts AS t USING (cand_type);
