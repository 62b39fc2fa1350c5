-- Finalising, as the reference does before it writes: numbering, the
-- discovery filter, validity, duplicate pruning, renumbering. The reference
-- works on Python lists whose order decides which duplicate survives and
-- which association is number 1, so each table here keeps that order as a
-- column; every step runs over all pools at once, partitioned by `_pool`.

-- asn_listed: the list finalising starts from.
--   seq_made: the number the reference gives as it creates associations
--     (Stage 3 counts per asn_type, Stage 2 shares one counter from 2).
--   list_pos: with discovery ($discover), discovered associations that no
--     candidate association repeats come first, then the candidate ones;
--     `seq` renumbers that list per (asn_id, asn_type).
--   invalid_reason: the first validity test it fails, in words (NULL: valid,
--     `is_valid`); the one place validity is decided.
CREATE OR REPLACE TABLE asn_listed AS
WITH numbered AS (
    -- Numbered over the keys alone (a window sorts all it carries); the
    -- associations' other columns join at the end.
    SELECT
        asn_uid, _pool, level, registry, asn_type, asn_id, membership,
        CASE
            WHEN level = 3 THEN row_number() OVER (PARTITION BY _pool, level, asn_type ORDER BY asn_uid)
            ELSE 1 + row_number() OVER (PARTITION BY _pool, level ORDER BY asn_uid)
        END AS seq_made
    FROM asn_made
),
candidate_sets AS (
    -- The discovery filter compares type, the id's first letter and members
    -- (in the reference it never matches across `a`/`o` ids).
    SELECT DISTINCT _pool, asn_type, left(asn_id, 1) AS id_letter, membership
    FROM asn_made
    WHERE registry = 'candidate' AND membership IS NOT NULL
),
listed AS (
    SELECT
        n.*,
        row_number() OVER (
            PARTITION BY n._pool
            ORDER BY CASE WHEN $discover AND n.registry = 'candidate' THEN 1 ELSE 0 END, n.asn_uid
        ) AS list_pos
    FROM numbered AS n
    LEFT JOIN candidate_sets AS c
        ON $discover
        AND n.registry = 'discover'
        AND c._pool = n._pool
        AND c.asn_type = n.asn_type
        AND c.id_letter = left(n.asn_id, 1)
        AND c.membership = n.membership
    WHERE NOT $discover
        OR (n.registry = 'candidate' AND $keep_candidates)
        OR (n.registry = 'discover' AND c.membership IS NULL)
),
sequenced AS (
    SELECT
        asn_uid,
        seq_made,
        list_pos,
        CASE
            WHEN $discover THEN row_number() OVER (PARTITION BY _pool, asn_id, asn_type ORDER BY list_pos)
            ELSE seq_made
        END AS seq
    FROM listed
)
SELECT *, invalid_reason IS NULL AS is_valid
FROM (
    SELECT
        a.*,
        q.seq_made,
        q.list_pos,
        -- Written at all (also without finalising) unless this says why not,
        -- the first test failed: science present, the rule's own tests, and
        -- Stage 2 only for observation candidates (or background candidates
        -- holding a background). `asn_fate` says it as it is.
        CASE
            WHEN NOT list_contains(exptypes, 'science') THEN 'it holds no science exposure'
            WHEN valid_candidate_types IS NOT NULL
                AND NOT list_contains(valid_candidate_types, acid_type)
                THEN coalesce(validity, rule || ' keeps only '
                        || array_to_string(valid_candidate_types, ', ') || ' candidates')
                    || ', and this one is '
                    || CASE
                        WHEN acid_type = 'discovered' THEN 'from the discovery pass'
                        WHEN left(acid_type, 1) IN ('a', 'e', 'i', 'o', 'u')
                            THEN 'an ' || acid_type || ' candidate'
                        ELSE 'a ' || acid_type || ' candidate'
                    END
            WHEN level = 2 AND NOT any_candidate AND acid_type = 'discovered'
                THEN 'Stage 2 associations are kept only for observation candidates,'
                    || ' not the discovery pass'
            WHEN level = 2 AND NOT any_candidate AND acid_type NOT IN ('observation', 'background')
                THEN 'Stage 2 associations are kept only for observation candidates, not '
                    || acid_type || ' ones'
            WHEN level = 2 AND NOT any_candidate AND acid_type = 'background'
                AND NOT list_contains(exptypes, 'background')
                THEN 'a background candidate''s Stage 2 association must hold a background exposure'
            WHEN NOT list_has_all(exptypes, valid_requires)
                THEN rule || ' needs a member of type '
                    || array_to_string(list_filter(valid_requires,
                                                   lambda t: NOT list_contains(exptypes, t)), ', ')
            WHEN n_members < valid_min_members
                THEN rule || ' needs ' || valid_min_members || ' members, and it has '
                    || n_members
            WHEN list_contains(invalid_candidate_types, acid_type)
                THEN rule || ' makes no association for ' || acid_type || ' candidates'
        END AS invalid_reason,
        q.seq
    FROM asn_made AS a
    JOIN sequenced AS q USING (asn_uid)
) AS judged;

-- asn_kept: what finalising keeps: valid, and Stage 3 associations of
-- group, background and mosaic candidates span several observations (the
-- nodded-spectra rule, finalize_with = 'nod_backgrounds', skips that test).
CREATE OR REPLACE VIEW asn_kept AS
SELECT *
FROM asn_listed
WHERE (SELECT finalize FROM final_options)
    AND is_valid
    AND NOT (
        level = 3
        AND acid_type IN ('group', 'background', 'mosaic')
        AND coalesce(finalize_with, '') <> 'nod_backgrounds'
        AND n_obs <= 1
    );

-- asn_final_member: the members written. When finalising, each science
-- member of a kept nodded-spectra association with two or more science
-- members is repeated at the end as a `background` named for its x1d product.
CREATE OR REPLACE TABLE asn_final_member AS
SELECT asn_uid, position, _row, expname, exptype, exposerr, member_candidate
FROM asn_member
UNION ALL
SELECT
    m.asn_uid,
    k.n_members + row_number() OVER (PARTITION BY m.asn_uid ORDER BY m.position) AS position,
    m._row,
    without_suffix(path_stem(path_name(m.expname))) || '_x1d.fits' AS expname,
    'background' AS exptype,
    m.exposerr,
    m.member_candidate
FROM asn_member AS m
JOIN asn_kept AS k USING (asn_uid)
WHERE k.finalize_with = 'nod_backgrounds' AND k.n_science >= 2 AND m.exptype = 'science';

-- asn_ranked: kept associations with the members they are compared by, in
-- the reference's pruning order: sorted by asn_id (stably), then the *last*
-- of equal member sets survives (`keeper`), survivors in reverse order.
-- It holds the keys and what pruning reads; the rest of an association is
-- asn_listed's (by asn_uid): copying all of it took half the statement.
CREATE OR REPLACE TABLE asn_ranked AS
WITH memberships AS (
    SELECT
        asn_uid,
        count(*) AS n_final,
        member_set(expname, exptype) AS final_membership
    FROM asn_final_member
    WHERE asn_uid IN (SELECT asn_uid FROM asn_kept)
    GROUP BY asn_uid
),
indexed AS (
    -- Numbered over the keys alone; the associations' columns join at the end.
    SELECT
        k.asn_uid,
        k._pool,
        k.level,
        f.n_final,
        f.final_membership,
        row_number() OVER (PARTITION BY k._pool, k.level ORDER BY k.asn_id, k.list_pos) AS idx
    FROM asn_kept AS k
    JOIN memberships AS f USING (asn_uid)
),
ranked AS (
    SELECT
        asn_uid,
        n_final,
        final_membership,
        idx,
        CASE
            WHEN final_membership IS NULL THEN idx
            ELSE max(idx) OVER (PARTITION BY _pool, level, final_membership)
        END AS keeper
    FROM indexed
)
SELECT
    k.asn_uid, k._pool, k.level, k.asn_id, k.asn_type, k.product_name, k.list_pos,
    r.n_final, r.final_membership, r.idx, r.keeper
FROM asn_kept AS k
JOIN ranked AS r USING (asn_uid);
