-- needs = ["run_id", "_row", "role", "exptype", "expname", "group_key", "optional_key", "queue", "attach_exptype", "target_id", "background_flag", "dither"]
--
-- Shape "single_science_imprints": one association per science exposure,
-- with the backgrounds and imprints that serve it (Stage 2 spectra).
--
-- Input view `rule_rows`, as for "single_science", plus:
--   queue: for attached rows, the re-processing list that carries them
--     ('background' or 'imprint'). The reference re-offers attached rows to
--     associations created after them list by list, each list in the order
--     its first row arrived, so late joiners come list by list.
--   attach_exptype: the member type of a row joining another association
--     (NULL: its own exptype).
--   target_id, background_flag, dither: what the reference's imprint pruning
--     compares (target as read, background flag, dither point).
-- Role 'both' is an imprint that no science of its group precedes: science
-- of an association of its own, and an imprint of the others it agrees with.
-- Attached rows join every association of their group whose set keys they
-- agree with (an imprint carries its mosaic tile as a key; a background
-- does not). When a group's first row is attached and the first science
-- agrees with it, that science joins the association the attached row made.
--
-- Imprint pruning, once members are known: only imprints with the same
-- background flag as the science are weighed; if some share the science's
-- target, the others go; if more remain than science, those on the
-- science's dither point stay (when there are any) and the others go.
WITH science AS (
    SELECT
        rule_rank,
        run_id,
        _row,
        group_key,
        optional_key,
        row_number() OVER (PARTITION BY rule_rank, run_id, group_key ORDER BY _row) AS science_rank
    FROM rule_rows
    WHERE role IN ('science', 'both')
),
first_row AS (
    SELECT
        rule_rank,
        run_id,
        group_key,
        min(_row) AS _row,
        arg_min(role, _row) AS role,
        arg_min(optional_key, _row) AS optional_key
    FROM rule_rows
    GROUP BY rule_rank, run_id, group_key
),
queues AS (
    SELECT
        rule_rank,
        run_id,
        queue,
        row_number() OVER (PARTITION BY rule_rank, run_id ORDER BY min(_row)) AS queue_rank
    FROM rule_rows
    WHERE role IN ('attach', 'both')
    GROUP BY rule_rank, run_id, queue
),
associations AS (
    SELECT
        s.rule_rank,
        s.run_id,
        s._row AS science_row,
        s.group_key,
        s.optional_key,
        CASE
            WHEN s.science_rank = 1 AND f.role = 'attach' AND f._row < s._row
                AND keys_agree(f.optional_key, s.optional_key)
                THEN f._row
            ELSE s._row
        END AS creator_row
    FROM science AS s
    JOIN first_row AS f USING (rule_rank, run_id, group_key)
),
joined AS (
    SELECT
        a.rule_rank,
        a.run_id,
        a.science_row,
        a.creator_row,
        r._row,
        r.role,
        CASE WHEN r._row = a.science_row THEN r.exptype ELSE coalesce(r.attach_exptype, r.exptype) END AS exptype,
        r.expname,
        r.target_id,
        coalesce(r.background_flag = 't', false) AS is_bkg,
        r.dither,
        CASE WHEN r._row >= a.creator_row THEN 0 ELSE coalesce(q.queue_rank, 0) END AS phase
    FROM associations AS a
    JOIN rule_rows AS r
        ON r.rule_rank = a.rule_rank AND r.run_id = a.run_id
        AND r.group_key = a.group_key
        AND (
            r._row = a.science_row
            OR (r.role IN ('attach', 'both') AND keys_agree(r.optional_key, a.optional_key))
        )
    LEFT JOIN queues AS q
        ON q.rule_rank = r.rule_rank AND q.run_id = r.run_id
        AND q.queue = r.queue
        AND r.role IN ('attach', 'both')
),
pruned AS (
    SELECT * FROM pruned_imprints(joined)
)
SELECT
    j.rule_rank,
    j.run_id,
    j.science_row AS asn_key,    -- identifies the association within its run
    j.creator_row,               -- pool row that created it (creation order)
    j._row,
    j.exptype,
    j.expname,
    row_number() OVER (PARTITION BY j.rule_rank, j.run_id, j.science_row ORDER BY j.phase, j._row) AS member_order
FROM joined AS j
WHERE NOT EXISTS (
    SELECT 1
    FROM pruned AS p
    WHERE p.rule_rank = j.rule_rank AND p.run_id = j.run_id
        AND p.science_row = j.science_row
        AND p._row = j._row
)
UNION ALL
-- Groups without science (see the macro).
SELECT * FROM groups_without_science(rule_rows, ['science', 'both'])
