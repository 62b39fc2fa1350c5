-- needs = ["run_id", "_row", "exptype", "expname", "obs_num", "group_key", "optional_key", "acq_key", "target", "instrument", "opt_elem", "opt_elem2", "slit", "subarray"]
-- optional = ["program", "name_parts"]
--
-- Shape "group": exposures sharing keys form one association (Stage 3).
--
-- Inputs:
--   `rule_rows`, the rows the rules accept: run_id, _row, exptype, expname,
--     obs_num, group_key (list: must be equal), optional_key (list: NULL =
--     not set), acq_key (list: what a target acquisition must share with
--     the science);
--   `rule_runs`, the rules' passes (`pass_id`: the pass in `items`);
--   `stage3_items`, whose target acquisitions join every rule's science.
-- Every distinct optional-key signature that no other signature of its group
-- covers is one association; a science row joins each association whose set
-- keys it agrees with (the reference re-offers rows to associations created
-- after them). A row that pins fewer keys (a PSF reference or background
-- without a target) is shared by every association it agrees with but
-- creates at most one. Target acquisitions join the associations whose
-- science shares their observation number; optional `name_parts` (a map)
-- pass further product-name parts through.
WITH science AS (
    SELECT * FROM rule_rows
),
-- Every target acquisition a pass sees, for each rule: `accepted` when the
-- rule takes it as one of its own rows (it still joins, as an acquisition,
-- the associations it is no member of).
acquisitions AS (
    SELECT rule_rank, run_id, _row, exptype, expname, obs_num, acq_key, true AS accepted
    FROM science
    WHERE exptype = 'target_acquisition'
    UNION ALL
    SELECT u.rule_rank, u.run_id, q._row, q.exptype, q.expname, q.obs_num, q.acq_key, false AS accepted
    FROM rule_runs AS u
    JOIN stage3_items AS q ON q.run_id = u.run_id AND q.exptype = 'target_acquisition'
    WHERE NOT EXISTS (
        SELECT 1 FROM science AS s WHERE s.rule_rank = u.rule_rank AND s.run_id = u.run_id AND s._row = q._row
    )
),
signatures AS (
    SELECT DISTINCT rule_rank, run_id, group_key, optional_key FROM science
),
associations AS (
    SELECT
        s.rule_rank,
        s.run_id,
        s.group_key,
        s.optional_key,
        dense_rank() OVER (ORDER BY s.rule_rank, s.run_id, s.group_key, s.optional_key) AS asn_key
    FROM signatures AS s
    WHERE NOT EXISTS (
        SELECT 1
        FROM signatures AS t
        WHERE t.rule_rank = s.rule_rank AND t.run_id = s.run_id
            AND t.group_key = s.group_key
            AND t.optional_key IS DISTINCT FROM s.optional_key
            AND keys_cover(t.optional_key, s.optional_key)
    )
),
science_members AS (
    SELECT
        a.rule_rank,
        a.run_id,
        a.asn_key,
        r._row,
        r.exptype,
        r.expname,
        r.obs_num,
        -- The row sets every key the association sets (not a shared row
        -- such as a PSF reference or background that pins fewer keys).
        keys_cover(r.optional_key, a.optional_key) AS own
    FROM associations AS a
    JOIN science AS r
        ON r.rule_rank = a.rule_rank AND r.run_id = a.run_id
        AND r.group_key = a.group_key
        AND keys_agree(r.optional_key, a.optional_key)
),
-- A row that several associations share (one that leaves an optional key
-- unset, such as a background with no target) created only the first of
-- them, the one whose own rows start earliest; it joined the others later,
-- from the re-processing queue.
sharing AS (
    SELECT
        *,
        count(*) OVER (PARTITION BY rule_rank, run_id, _row) AS n_asns
    FROM science_members
),
own_first AS (
    SELECT
        a.rule_rank,
        a.run_id,
        a.asn_key,
        coalesce(min(s._row), 9223372036854775807) AS own_row
    FROM associations AS a
    LEFT JOIN sharing AS s
        ON s.rule_rank = a.rule_rank AND s.run_id = a.run_id AND s.asn_key = a.asn_key AND s.n_asns = 1
    GROUP BY a.rule_rank, a.run_id, a.asn_key
),
created AS (
    SELECT
        s.rule_rank,
        s.run_id,
        s.asn_key,
        -- An association made of shared rows only keeps its first row.
        coalesce(
            min(s._row) FILTER (
                WHERE s.n_asns = 1
                    OR o.own_row = (
                        SELECT min(o2.own_row)
                        FROM sharing AS s2
                        JOIN own_first AS o2 USING (rule_rank, run_id, asn_key)
                        WHERE s2.rule_rank = s.rule_rank AND s2.run_id = s.run_id AND s2._row = s._row
                    )
            ),
            min(s._row)
        ) AS creator_row
    FROM sharing AS s
    JOIN own_first AS o USING (rule_rank, run_id, asn_key)
    GROUP BY s.rule_rank, s.run_id, s.asn_key
),
acq_members AS (
    SELECT DISTINCT
        a.rule_rank,
        a.run_id,
        a.asn_key,
        q._row,
        q.exptype,
        q.expname,
        q.obs_num,
        q.accepted
    FROM acquisitions AS q
    JOIN associations AS a ON q.rule_rank = a.rule_rank AND q.run_id = a.run_id
    JOIN science_members AS s
        ON s.rule_rank = a.rule_rank AND s.run_id = a.run_id
        AND s.asn_key = a.asn_key
        AND s.obs_num = q.obs_num
    JOIN science AS sr
        ON sr.rule_rank = s.rule_rank AND sr.run_id = s.run_id
        AND sr._row = s._row
        AND sr.acq_key = q.acq_key
    WHERE NOT EXISTS (
        SELECT 1
        FROM science_members AS own
        WHERE own.rule_rank = a.rule_rank AND own.run_id = a.run_id
            AND own.asn_key = a.asn_key
            AND own._row = q._row
    )
),
-- Phase 0: joined during the pass over the pool; phase 1: joined when the
-- pass was over, re-offered to associations created after the row.
placed AS (
    SELECT
        m.rule_rank,
        m.run_id,
        m.asn_key,
        m._row,
        m.exptype,
        m.expname,
        m.obs_num,
        CASE WHEN m._row >= c.creator_row THEN 0 ELSE 1 END AS phase
    FROM science_members AS m
    JOIN created AS c USING (rule_rank, run_id, asn_key)
),
members AS (
    SELECT * FROM placed
    UNION ALL
    SELECT
        q.rule_rank,
        q.run_id,
        q.asn_key,
        q._row,
        q.exptype,
        q.expname,
        q.obs_num,
        -- An acquisition joins once science of its observation is in: in
        -- place if that science joined during the pass before it; if the
        -- rule itself accepted it, when re-offered after the pass (in pool
        -- order, with the science re-offered then); else at the very end.
        CASE
            WHEN EXISTS (
                SELECT 1 FROM placed AS s
                WHERE s.rule_rank = q.rule_rank AND s.run_id = q.run_id AND s.asn_key = q.asn_key
                    AND s.obs_num = q.obs_num AND s.phase = 0 AND s._row < q._row
            ) THEN 0
            WHEN q.accepted AND EXISTS (
                SELECT 1 FROM placed AS s
                WHERE s.rule_rank = q.rule_rank AND s.run_id = q.run_id AND s.asn_key = q.asn_key
                    AND s.obs_num = q.obs_num AND (s.phase = 0 OR s._row < q._row)
            ) THEN 1
            ELSE 2
        END AS phase
    FROM acq_members AS q
)
SELECT
    m.rule_rank,
    m.run_id,
    m.asn_key,
    c.creator_row,
    m._row,
    m.exptype,
    m.expname,
    row_number() OVER (PARTITION BY m.rule_rank, m.run_id, m.asn_key ORDER BY m.phase, m._row) AS member_order
FROM members AS m
JOIN created AS c USING (rule_rank, run_id, asn_key)
