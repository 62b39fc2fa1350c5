-- needs = ["run_id", "_row", "role", "exptype", "expname", "group_key", "science_key", "nod_exp_type", "nod_target", "nod_numdthpt", "nod_patt_num", "nod_subpx", "nod_slit", "prune_imprints", "imprint_target", "imprint_bkg", "imprint_dither"]
--
-- Shape "nod": a nod set split into one association per science exposure,
-- the other nods its background (Stage 2 NIRSpec MSA, FS and IFU nods).
--
-- Input view `rule_rows`:
--   run_id, _row, role ('science' or 'other'), exptype, expname,
--   group_key (list: the mode every member pins, NULL entries included),
--   science_key (list: what science members must also share; the first
--   science pins it), the nod_* columns `nod_background_overlap` reads,
--   and, for rules that prune imprints (prune_imprints), each row's raw
--   target, background flag and dither index.
-- The reference first gathers the set: the first row of a group creates an
-- association; a science row with a new science_key creates another; other
-- rows (backgrounds, imprints) join every association existing when they
-- come. Then each science member becomes the science of its own copy, the
-- other science members its background unless they overlap it, followed
-- by the other rows; the copy keeps the set's creator (program, target).
-- With --no-finalize (`$finalize` false), sets come out whole, unpruned.
-- Before splitting, a pruning rule drops surplus imprints as the reference
-- does: of the imprints taken like the science (target or background),
-- those of another target when some share a science target; then, when
-- more imprints than science remain, those at no science dither position.
WITH science AS (
    SELECT * FROM rule_rows WHERE role = 'science'
),
first_row AS (
    SELECT
        rule_rank,
        run_id,
        group_key,
        min(_row) AS _row
    FROM rule_rows
    GROUP BY rule_rank, run_id, group_key
),
first_science AS (
    SELECT
        rule_rank,
        run_id,
        group_key,
        arg_min(science_key, _row) AS science_key
    FROM science
    GROUP BY rule_rank, run_id, group_key
),
sets AS (
    -- One nod set per science key; the group's first key may have been
    -- created by an earlier non-science row.
    SELECT
        s.rule_rank,
        s.run_id,
        s.group_key,
        s.science_key,
        CASE
            WHEN s.science_key IS NOT DISTINCT FROM f.science_key THEN least(min(s._row), r._row)
            ELSE min(s._row)
        END AS creator_row
    FROM science AS s
    JOIN first_row AS r
        ON r.rule_rank = s.rule_rank AND r.run_id = s.run_id AND r.group_key IS NOT DISTINCT FROM s.group_key
    JOIN first_science AS f
        ON f.rule_rank = s.rule_rank AND f.run_id = s.run_id AND f.group_key IS NOT DISTINCT FROM s.group_key
    GROUP BY s.rule_rank, s.run_id, s.group_key, s.science_key, f.science_key, r._row
),
set_members AS (
    SELECT
        t.rule_rank,
        t.run_id,
        t.creator_row,
        t.group_key,
        r.* EXCLUDE (rule_rank, run_id, group_key)
    FROM sets AS t
    JOIN rule_rows AS r
        ON r.rule_rank = t.rule_rank AND r.run_id = t.run_id
        AND r.group_key IS NOT DISTINCT FROM t.group_key
        AND (
            (r.role = 'science' AND r.science_key IS NOT DISTINCT FROM t.science_key)
            OR (r.role <> 'science' AND r._row >= t.creator_row)
            -- Acquisitions are offered again to every association at the end.
            OR (r.role <> 'science' AND r.exptype = 'target_acquisition')
        )
),
imprint_checks AS (
    -- Per set: which imprints the pruning looks at, and how they match.
    SELECT
        m.*,
        m.exptype = 'imprint'
            AND m.imprint_bkg = bool_or(m.role = 'science' AND m.imprint_bkg)
                OVER (PARTITION BY m.rule_rank, m.run_id, m.creator_row) AS checked,
        list_contains(
            list(m.imprint_target) FILTER (WHERE m.role = 'science')
                OVER (PARTITION BY m.rule_rank, m.run_id, m.creator_row),
            m.imprint_target
        ) AS target_match,
        list_contains(
            list(coalesce(m.imprint_dither, '')) FILTER (WHERE m.role = 'science')
                OVER (PARTITION BY m.rule_rank, m.run_id, m.creator_row),
            coalesce(m.imprint_dither, '')
        ) AS dither_match,
        count(*) FILTER (WHERE m.role = 'science')
            OVER (PARTITION BY m.rule_rank, m.run_id, m.creator_row) AS n_science
    FROM set_members AS m
),
imprint_targets AS (
    SELECT
        *,
        checked AND bool_or(checked AND target_match)
            OVER (PARTITION BY rule_rank, run_id, creator_row) AND NOT target_match AS off_target
    FROM imprint_checks
),
imprint_dithers AS (
    SELECT
        *,
        checked AND NOT off_target AS remaining,
        count(*) FILTER (WHERE checked AND NOT off_target)
            OVER (PARTITION BY rule_rank, run_id, creator_row) AS n_remaining,
        bool_or(checked AND NOT off_target AND dither_match)
            OVER (PARTITION BY rule_rank, run_id, creator_row) AS any_dither
    FROM imprint_targets
),
pruned_members AS (
    SELECT * EXCLUDE (checked, target_match, dither_match, n_science, off_target,
                      remaining, n_remaining, any_dither)
    FROM imprint_dithers
    WHERE NOT coalesce(prune_imprints, false)
        OR NOT (
            off_target
            OR (remaining AND n_science >= 1 AND n_science < n_remaining
                AND any_dither AND NOT dither_match)
        )
),
valid_sets AS (
    -- A background candidate's set needs a background member of its own.
    SELECT m.rule_rank, m.run_id, m.creator_row
    FROM set_members AS m
    JOIN rule_runs AS u USING (rule_rank, run_id)
    GROUP BY m.rule_rank, m.run_id, m.creator_row, u.cand_type
    HAVING u.cand_type <> 'background' OR bool_or(m.exptype = 'background')
),
splits AS (
    SELECT
        s.rule_rank,
        s.run_id,
        s.creator_row,
        s._row AS science_row,
        m._row,
        CASE WHEN m._row = s._row THEN 'science'
             WHEN m.role = 'science' THEN 'background'
             ELSE m.exptype END AS exptype,
        m.expname,
        CASE
            WHEN m._row = s._row THEN 0
            WHEN m.role = 'science' THEN 1
            WHEN m._row >= s.creator_row THEN 2
            ELSE 3                       -- acquisitions re-offered at the end
        END AS part
    FROM pruned_members AS s
    JOIN valid_sets AS v USING (rule_rank, run_id, creator_row)
    JOIN pruned_members AS m
        ON m.rule_rank = s.rule_rank AND m.run_id = s.run_id AND m.creator_row = s.creator_row
    WHERE s.role = 'science'
        AND (
            m._row = s._row
            OR m.role <> 'science'
            OR (
                m.expname <> s.expname
                AND NOT nod_background_overlap(
                    s.nod_exp_type, s.nod_target, m.nod_target, s.nod_numdthpt,
                    s.nod_patt_num, m.nod_patt_num, s.nod_subpx, m.nod_subpx, s.nod_slit
                )
            )
        )
)
SELECT
    rule_rank,
    run_id,
    science_row AS asn_key,      -- one association per science nod, in pool order
    creator_row,                 -- the row that created the nod set
    _row,
    exptype,
    expname,
    row_number() OVER (PARTITION BY rule_rank, run_id, science_row ORDER BY part, _row) AS member_order
FROM splits
WHERE $finalize
UNION ALL
-- Without finalising, the reference writes each nod set whole, as gathered:
-- rows in pool order from the creator on, then acquisitions re-offered.
SELECT
    rule_rank,
    run_id,
    creator_row AS asn_key,
    creator_row,
    _row,
    exptype,
    expname,
    row_number() OVER (
        PARTITION BY rule_rank, run_id, creator_row
        ORDER BY CASE WHEN _row >= creator_row THEN 0 ELSE 1 END, _row
    ) AS member_order
FROM set_members
WHERE NOT $finalize
UNION ALL
-- Groups without science (see the macro).
SELECT * FROM groups_without_science(rule_rows, ['science'])
