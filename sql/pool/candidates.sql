-- candidates: one row per (exposure, candidate) listed in `asn_candidate`.
--
-- The cell is a list of ('id', 'type') pairs. It is read as text, never
-- evaluated. A cell holding a bare integer is a candidate of type `unknown`,
-- as the reference counts it; any other cell that is not such a list names
-- no candidate. Every table here holds the rows of all pools, keyed by `_pool`.
CREATE OR REPLACE TABLE candidate_cells AS
SELECT
    _pool,
    _row,
    asn_candidate AS cell,
    CASE
        WHEN regexp_full_match(
            asn_candidate, '\[\s*(\(\s*''[^'']*''\s*,\s*''[^'']*''\s*\)\s*,?\s*)*\]'
        ) THEN 'list'
        WHEN regexp_full_match(trim(asn_candidate), '[+-]?\d+') THEN 'integer'
        ELSE 'other'
    END AS cell_kind
FROM pool
WHERE asn_candidate IS NOT NULL;

CREATE OR REPLACE TABLE candidates AS
WITH pairs AS (
    SELECT
        _pool,
        _row,
        unnest(pairs) AS pair,
        generate_subscripts(pairs, 1) AS cand_pos
    FROM (
        SELECT
            _pool,
            _row,
            regexp_extract_all(cell, '\(\s*''[^'']*''\s*,\s*''[^'']*''\s*\)') AS pairs
        FROM candidate_cells
        WHERE cell_kind = 'list'
    )
)
SELECT
    _pool,                                                            -- pool
    _row,                                                             -- pool row
    cand_pos,                                                         -- 1-based place in the cell
    regexp_extract(pair, '''([^'']*)''\s*,', 1) AS cand_id,           -- e.g. o001, c1000
    regexp_extract(pair, ',\s*''([^'']*)''', 1) AS cand_type          -- e.g. observation, mosaic
FROM pairs
UNION ALL
SELECT
    _pool,
    _row,
    1 AS cand_pos,
    -- The integer's decimal text, of any length, as the reference's str(int(cell)).
    CASE
        WHEN ltrim(ltrim(trim(cell), '+-'), '0') = '' THEN '0'
        WHEN starts_with(trim(cell), '-') THEN '-' || ltrim(ltrim(trim(cell), '+-'), '0')
        ELSE ltrim(ltrim(trim(cell), '+-'), '0')
    END AS cand_id,
    'unknown' AS cand_type
FROM candidate_cells
WHERE cell_kind = 'integer';

-- candidate_order: every distinct candidate of each pool in the order the
-- reference generates them: candidate types by first appearance in the pool,
-- then ids by first appearance within their type.
CREATE OR REPLACE TABLE candidate_order AS
WITH firsts AS (
    SELECT
        _pool,
        cand_id,
        cand_type,
        min(_row * 1000 + cand_pos) AS first_id
    FROM candidates
    GROUP BY _pool, cand_id, cand_type
),
type_firsts AS (
    SELECT
        _pool,
        cand_type,
        min(first_id) AS first_type
    FROM firsts
    GROUP BY _pool, cand_type
)
SELECT
    f._pool,
    row_number() OVER (PARTITION BY f._pool ORDER BY t.first_type, f.first_id) AS cand_rank,
    f.cand_id,
    f.cand_type,
    t.first_type
FROM firsts AS f
JOIN type_firsts AS t USING (_pool, cand_type);

-- candidate_tokens: the quoted words (ids and types) of each list cell, and
-- a bare-integer cell whole. The reference picks a candidate's rows by a
-- substring test on the cell text; in a list cell an id with any character
-- besides brackets, commas and spaces can only occur inside one quoted word,
-- so testing each pool's distinct words once stands for testing every row.
CREATE OR REPLACE TABLE candidate_tokens AS
SELECT DISTINCT
    _pool,
    _row,
    token
FROM (
    SELECT c._pool, c._row, unnest([c.cand_id, c.cand_type]) AS token
    FROM candidates AS c
    JOIN candidate_cells AS k USING (_row)
    WHERE k.cell_kind = 'list'
    UNION ALL
    SELECT _pool, _row, cell FROM candidate_cells WHERE cell_kind = 'integer'
);
