-- asn_fate: what became of each association the rules made: the file it
-- went into, or the finalising step that dropped it and why, in words.
-- It reads the record each step leaves (asn_listed, asn_kept, asn_ranked,
-- product_pruned, doc_part, documents) and is a view: only `asnsql
-- explain` (and whoever asks) pays for it.
CREATE OR REPLACE VIEW asn_fate AS
WITH opts AS (
    SELECT * FROM final_options
),
passes AS (
    SELECT asn_uid, any_value(run_id) AS run_id FROM asn_member GROUP BY asn_uid
),
written AS (
    SELECT p.asn_uid, d.file_name
    FROM doc_part AS p
    JOIN documents AS d ON d.asn_uid = p.doc_uid
),
discovery_twin AS (
    -- The candidate association a discovered one repeats (the filter's test).
    SELECT a.asn_uid, min(c.asn_id) AS twin_id
    FROM asn_made AS a
    JOIN asn_made AS c
        ON c._pool = a._pool
        AND c.registry = 'candidate'
        AND c.asn_type = a.asn_type
        AND left(c.asn_id, 1) = left(a.asn_id, 1)
        AND c.membership = a.membership
    WHERE a.registry = 'discover'
    GROUP BY a.asn_uid
),
member_twin AS (
    -- The association whose equal members outlived this one (its keeper).
    SELECT r.asn_uid, w.file_name AS twin_file
    FROM asn_ranked AS r
    JOIN asn_ranked AS k ON k._pool = r._pool AND k.level = r.level AND k.idx = r.keeper
    LEFT JOIN written AS w ON w.asn_uid = k.asn_uid
    WHERE r.idx <> r.keeper
),
product_twin AS (
    -- A written association making the same product.
    SELECT p.asn_uid, min(w.file_name) AS twin_file
    FROM product_pruned AS p
    JOIN asn_survivor AS s USING (asn_uid)
    LEFT JOIN asn_survivor AS t
        ON t._pool = s._pool AND t.level = s.level AND t.product_name = s.product_name
        AND t.asn_uid <> s.asn_uid
    LEFT JOIN written AS w ON w.asn_uid = t.asn_uid
    GROUP BY p.asn_uid
)
SELECT
    a.asn_uid,
    a._pool,
    a.rule,
    a.rule_rank,
    u.run_id,
    w.file_name,
    CASE
        WHEN w.file_name IS NOT NULL THEN NULL
        WHEN l.asn_uid IS NULL AND d.twin_id IS NOT NULL
            THEN 'the discovery pass made it again, but candidate ' || d.twin_id
                || ' already had the same association, so the discovered one was dropped'
        WHEN l.asn_uid IS NULL THEN 'dropped by the discovery filter'
        WHEN NOT l.is_valid THEN 'its association is invalid: ' || l.invalid_reason
        WHEN o.finalize AND k.asn_uid IS NULL
            THEN 'its association is invalid: a ' || a.acid_type
                || ' candidate''s association must span two or more observations'
        WHEN m.asn_uid IS NOT NULL
            THEN 'pruned as a duplicate: ' || coalesce(m.twin_file, 'another association')
                || ' has the same members'
        WHEN p.asn_uid IS NOT NULL
            THEN 'pruned as a duplicate: ' || coalesce(p.twin_file, 'another association')
                || ' makes the same product'
        WHEN o.dms AND NOT list_bool_or(list_transform(o.asked, lambda i: contains(a.asn_id, i)))
            THEN 'not written: with --DMS only the associations of the ids asked for are'
        WHEN a.asn_uid IN (SELECT asn_uid FROM doc_part)
            THEN 'a later association of the same file name replaced it, as the reference'
                || ' overwrites the file'
        ELSE 'dropped when finalising'
    END AS reason
FROM asn_made AS a
CROSS JOIN opts AS o
JOIN passes AS u USING (asn_uid)
LEFT JOIN written AS w USING (asn_uid)
LEFT JOIN asn_listed AS l USING (asn_uid)
LEFT JOIN discovery_twin AS d USING (asn_uid)
LEFT JOIN asn_kept AS k USING (asn_uid)
LEFT JOIN member_twin AS m USING (asn_uid)
LEFT JOIN product_twin AS p USING (asn_uid);
