-- asn_out: the associations written, one row each, in the reference's
-- output order (`out_order`) with the number they are written under.
--   Finalising: per stage, the survivors (sorted by asn_id when product
--   pruning dropped any), renumbered per (asn_id, asn_type); with -D the
--   pruned duplicates follow each stage's survivors in the order they were
--   pruned, named `dupNNNNN_<name>` with the number they had then.
--   Without finalising: every valid association in list order.
CREATE OR REPLACE TABLE asn_out AS
WITH stage_dups AS (
    SELECT _pool, level, bool_or(product_repeats) AS sorted_again
    FROM asn_survivor
    GROUP BY _pool, level
),
positioned AS (
    SELECT
        s.*,
        CASE
            WHEN d.sorted_again
                THEN row_number() OVER (PARTITION BY s._pool, s.level ORDER BY s.asn_id, s.pos1)
            ELSE s.pos1
        END AS final_pos
    FROM asn_survivor AS s
    JOIN stage_dups AS d USING (_pool, level)
),
written AS (
    SELECT
        asn_uid,
        _pool,
        level,
        0 AS phase,
        final_pos AS phase_pos,
        row_number() OVER (PARTITION BY _pool, asn_id, asn_type ORDER BY final_pos) AS seq_out,
        NULL::INTEGER AS dup_no
    FROM positioned
    WHERE asn_uid NOT IN (SELECT asn_uid FROM product_pruned)
),
pruned AS (
    SELECT
        asn_uid,
        _pool,
        level,
        row_number() OVER (PARTITION BY _pool ORDER BY level, kind, k1, k2) AS dup_no
    FROM (
        SELECT asn_uid, _pool, level, 0 AS kind, -keeper AS k1, idx AS k2
        FROM asn_ranked
        WHERE idx <> keeper
        UNION ALL
        SELECT p.asn_uid, s._pool, s.level, 1, p.prune_order, 0
        FROM product_pruned AS p
        JOIN asn_survivor AS s USING (asn_uid)
    )
),
finalised AS (
    SELECT * FROM written
    UNION ALL
    SELECT p.asn_uid, p._pool, p.level, 1, p.dup_no, l.seq, p.dup_no
    FROM pruned AS p
    JOIN asn_listed AS l USING (asn_uid)
    WHERE $debug
),
unfinalised AS (
    SELECT asn_uid, _pool, 0 AS level, 0 AS phase, list_pos AS phase_pos, seq AS seq_out,
        NULL::INTEGER AS dup_no
    FROM asn_listed
    WHERE NOT $finalize AND is_valid
)
SELECT
    asn_uid,
    _pool,
    row_number() OVER (PARTITION BY _pool ORDER BY level, phase, phase_pos) AS out_order,
    seq_out,
    dup_no
FROM (SELECT * FROM finalised UNION ALL SELECT * FROM unfinalised);

-- doc_part: which association's members make which product of which
-- document. With --merge ($merge) the Stage 2 associations of one asn_type
-- and candidate become one document, the first's: a later product of a
-- name the document has gains the members it lacks, others are appended.
-- Without it each association is a document of one product. (A branch of
-- a statement whose WHERE is a false parameter costs nothing: the windows
-- that merging needs are not worked out when not merging.)
CREATE OR REPLACE TABLE doc_part AS
WITH written AS (
    SELECT o.asn_uid, o._pool, o.out_order, a.level, a.asn_type, a.asn_id, a.product_name
    FROM asn_out AS o
    JOIN asn_made AS a USING (asn_uid)
),
grouped AS (
    SELECT
        *,
        CASE
            WHEN level = 2
                THEN first_value(asn_uid) OVER (
                    PARTITION BY _pool, asn_type, asn_id ORDER BY out_order)
            ELSE asn_uid
        END AS doc_uid
    FROM written
    WHERE $merge
)
SELECT
    doc_uid,
    asn_uid,
    out_order,
    product_name,
    dense_rank() OVER (PARTITION BY doc_uid ORDER BY first_in) AS product_pos
FROM (
    SELECT *, min(out_order) OVER (PARTITION BY doc_uid, product_name) AS first_in
    FROM grouped
)
UNION ALL BY NAME
SELECT asn_uid AS doc_uid, asn_uid, out_order, product_name, 1 AS product_pos
FROM written
WHERE NOT $merge;

-- doc_member: the members of each product, in order. When merging, a member
-- joins a product unless an earlier association merged into it already
-- brought a member of that name; else the product is one association's,
-- and its members are that association's, in their order.
CREATE OR REPLACE TABLE doc_member AS
WITH joined AS (
    SELECT
        p.doc_uid, p.product_pos, p.product_name, p.out_order, m.position, m._row,
        m.expname, m.exptype, m.exposerr, m.member_candidate
    FROM doc_part AS p
    JOIN asn_final_member AS m USING (asn_uid)
)
SELECT
    * EXCLUDE (out_order)
        REPLACE (row_number() OVER (PARTITION BY doc_uid, product_pos ORDER BY out_order, position)
                 AS position)
FROM joined
WHERE $merge
QUALIFY out_order = min(out_order) OVER (PARTITION BY doc_uid, product_pos, expname)
UNION ALL BY NAME
SELECT * EXCLUDE (out_order)
FROM joined
WHERE NOT $merge;

-- documents: one row per file, with its JSON text exactly as the reference
-- writes it (json.dumps, indent 4). A later document of the same name
-- replaces an earlier one, as the reference overwrites the file; the name
-- keeps the earlier one's place.
CREATE OR REPLACE TABLE documents AS
WITH docs AS (
    SELECT
        o.*,
        -- Only what the document says: the windows below sort all they carry.
        a.level, a.asn_type, a.registry, a.rule, a.asn_id, a.acid_type, a.program, a.target,
        a.product_name, a.constraints,
        CASE
            WHEN o.dup_no IS NOT NULL THEN printf('dup%05d_', o.dup_no)
            ELSE ''
        END || lower(
            'jw' || a.program || '-' || a.asn_id
            || CASE WHEN coalesce($version_id, '') <> '' THEN '_' || $version_id ELSE '' END
            || '_' || a.asn_type || '_' || printf('%05d', o.seq_out) || '_asn'
        ) || '.json' AS file_name
    FROM asn_out AS o
    JOIN asn_made AS a USING (asn_uid)
    WHERE o.asn_uid IN (SELECT doc_uid FROM doc_part)
        AND (NOT $dms OR list_bool_or(list_transform($asked, lambda i: contains(a.asn_id, i))))
),
ordered AS (
    SELECT
        *,
        row_number() OVER (
            PARTITION BY _pool
            ORDER BY CASE WHEN $merge AND level = 2 THEN 1 ELSE 0 END, out_order
        ) AS doc_order
    FROM docs
),
named AS (
    SELECT
        *,
        min(doc_order) OVER (PARTITION BY _pool, file_name) AS name_order
    FROM ordered
    QUALIFY doc_order = max(doc_order) OVER (PARTITION BY _pool, file_name)
),
member_text AS (
    SELECT
        m.doc_uid,
        m.product_pos,
        any_value(m.product_name) AS product_name,
        bool_or(m.exposerr NOT IN ('', 'null', '--', 'n', 'f', 'false', 'n/a'))
            AS degraded,
        texts_in_order(m.position,
            '                {' || chr(10)
            || '                    "expname": ' || m.j[1] || ',' || chr(10)
            || '                    "exptype": ' || m.j[2]
            || CASE
                WHEN m._row IS NULL THEN ''
                ELSE ',' || chr(10) || '                    "exposerr": ' || m.j[3]
                    || CASE
                        WHEN n.level = 3 THEN ',' || chr(10)
                            || '                    "asn_candidate": ' || m.j[4]
                        ELSE ''
                    END
            END || chr(10) || '                }',
            ',' || chr(10)
        ) AS members
    FROM (
        SELECT *, json_texts([expname, exptype, exposerr, member_candidate]) AS j
        FROM doc_member
    ) AS m
    JOIN named AS n ON n.asn_uid = m.doc_uid
    GROUP BY m.doc_uid, m.product_pos
),
product_text AS (
    SELECT
        doc_uid,
        bool_or(degraded) FILTER (product_pos = 1) AS degraded,
        texts_in_order(product_pos,
            '        {' || chr(10)
            || '            "name": ' || json_text(product_name) || ',' || chr(10)
            || '            "members": [' || chr(10) || members || chr(10)
            || '            ]' || chr(10) || '        }',
            ',' || chr(10)
        ) AS products
    FROM member_text
    GROUP BY doc_uid
)
SELECT
    n._pool,
    n.name_order,
    n.file_name,
    n.asn_uid,
    n.asn_type,
    n.registry || '_' || n.rule AS asn_rule,
    n.asn_id,
    n.acid_type AS candidate_type,
    n.program,
    n.target,
    n.seq_out AS sequence,
    n.product_name,
    n.level,
    '{' || chr(10)
    || '    "asn_type": ' || n.j[1] || ',' || chr(10)
    || '    "asn_rule": ' || n.j[2] || ',' || chr(10)
    || '    "version_id": ' || n.j[3] || ',' || chr(10)
    || '    "code_version": ' || n.j[4] || ',' || chr(10)
    || '    "degraded_status": ' || n.j[5] || ',' || chr(10)
    || '    "program": ' || n.j[6] || ',' || chr(10)
    || '    "constraints": ' || n.j[7] || ',' || chr(10)
    || '    "asn_id": ' || n.j[8] || ',' || chr(10)
    -- Stage 2 and Stage 3 documents order these two fields differently.
    || CASE
        WHEN n.level = 3
            THEN '    "target": ' || n.j[9] || ',' || chr(10)
                || '    "asn_pool": ' || n.j[10]
        ELSE '    "asn_pool": ' || n.j[10] || ',' || chr(10)
            || '    "target": ' || n.j[9]
    END || ',' || chr(10)
    || '    "products": [' || chr(10) || n.products || chr(10) || '    ]' || chr(10) || '}'
        AS document
FROM (
    -- Every string field of the document, escaped in one go.
    SELECT
        n.*,
        t.products,
        json_texts([
            n.asn_type, n.registry || '_' || n.rule, $version_id, $code_version,
            CASE
                WHEN coalesce(t.degraded, false)
                    THEN 'One or more members have an error associated with them.' || chr(10)
                        || 'Details can be found in the member.exposerr attribute.'
                ELSE 'No known degraded exposures in association.'
            END,
            n.program, n.constraints, n.asn_id, n.target, p.asn_pool
        ]) AS j
    FROM named AS n
    JOIN product_text AS t ON t.doc_uid = n.asn_uid
    JOIN pools AS p USING (_pool)
) AS n
ORDER BY n._pool, n.name_order;
