-- items: the (pass, exposure) pairs every rule is offered, over all pools.
--
-- A candidate pass sees each row of its pool whose `asn_candidate` text
-- contains the candidate id: the reference's substring test, so `o001` also
-- sees the rows of `o0011`. The test runs once per distinct quoted word of a
-- pool (`candidate_tokens`) and the words' rows follow by an equality join,
-- so the cost grows with the rows, not with rows x candidates. Only cells
-- that are no list of pairs, and ids made of brackets, commas and spaces
-- (which may match between the quoted words), are tested whole.
CREATE OR REPLACE TABLE items AS
WITH passes AS (
    SELECT DISTINCT _pool, cand_id FROM runs WHERE registry = 'candidate'
),
words AS (
    SELECT DISTINCT _pool, token FROM candidate_tokens
),
word_hits AS (
    SELECT
        w._pool,
        w.token,
        p.cand_id
    FROM words AS w
    JOIN passes AS p ON p._pool = w._pool AND contains(w.token, p.cand_id)
),
hits AS (
    SELECT _pool, t._row, h.cand_id
    FROM candidate_tokens AS t
    JOIN word_hits AS h USING (_pool, token)
    UNION
    SELECT k._pool, k._row, p.cand_id
    FROM (SELECT * FROM candidate_cells WHERE cell_kind = 'other') AS k
    JOIN passes AS p ON p._pool = k._pool AND contains(k.cell, p.cand_id)
    UNION
    SELECT k._pool, k._row, p.cand_id
    FROM candidate_cells AS k
    JOIN (SELECT * FROM passes WHERE regexp_full_match(cand_id, '[\[\](),\s]*')) AS p
        ON p._pool = k._pool AND contains(k.cell, p.cand_id)
),
seen AS (
    -- Keyed by pool: a candidate id recurs in every pool.
    SELECT r.run_id, r.registry, r.cand_id, r.cand_type, h._row
    FROM runs AS r
    JOIN hits AS h ON r.registry = 'candidate' AND h._pool = r._pool AND h.cand_id = r.cand_id
    UNION ALL
    SELECT r.run_id, r.registry, r.cand_id, r.cand_type, p._row
    FROM runs AS r
    JOIN pool AS p ON r.registry = 'discover' AND p._pool = r._pool
),
typed AS (
    -- Worked out once per exposure, not once per pass or rule: the member
    -- type (Stage 3, and Stage 2 where a PSF counts as science), time
    -- series, and whether the pipeline works per integration.
    SELECT
        *,
        exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) AS item_exptype,
        stage2_exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) AS item_exptype2,
        is_tso(pntgtype, tsovisit, exp_type) AS item_is_tso,
        uses_integrations(pntgtype, tsovisit, exp_type, subarray, pupil, detector) AS item_ints
    FROM exposures
)
SELECT
    s.run_id,
    s.registry,
    s.cand_id,
    s.cand_type,
    CASE
        WHEN s.registry = 'candidate'
            THEN '[(''' || s.cand_id || ''', ''' || s.cand_type || ''')]'
        ELSE e.asn_candidate
    END AS item_candidate,
    e.*
FROM seen AS s
JOIN typed AS e ON e._row = s._row
ORDER BY s.run_id, s._row
