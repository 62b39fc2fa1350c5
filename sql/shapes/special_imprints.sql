-- needs = ["run_id", "_row", "expname", "group_key", "optional_key", "is_imprint", "tile", "target_id", "background_flag", "dither"]
--
-- Shape "special_imprints": one association per background or PSF exposure
-- taken as science, with the imprints the reference lets join it (Stage 2).
--
-- Input view `rule_rows`: run_id, _row, expname, group_key (must be equal),
-- optional_key (set keys must agree), is_imprint (an imprint exposure),
-- tile (its mosaic tile), and target_id, background_flag, dither for the
-- imprint pruning (as in "single_science_imprints").
--
-- The reference decides membership with state it keeps per association: an
-- imprint joins only if the last exposure offered to that association was not
-- an imprint, and the first imprint to join pins the mosaic tile. That is a
-- walk over the pool in order, so it is a recursive query: each row of a
-- group is offered to every association of the group made before it; a row
-- joining none makes its own (it is that association's science). Then every
-- imprint with a tile is offered again, in pool order, to every association
-- it is not yet in (the reference's re-processing list).
WITH RECURSIVE events AS (
    SELECT
        rule_rank,
        run_id,
        group_key,
        row_number() OVER (PARTITION BY rule_rank, run_id, group_key ORDER BY phase, _row) AS step,
        phase,
        _row,
        optional_key,
        is_imprint,
        tile
    FROM (
        SELECT *, 0 AS phase FROM rule_rows
        UNION ALL
        SELECT *, 1 AS phase FROM rule_rows WHERE is_imprint AND tile IS NOT NULL
    )
),
walk(rule_rank, run_id, group_key, step, asns) AS (
    SELECT DISTINCT
        rule_rank,
        run_id,
        group_key,
        0::BIGINT,
        []::STRUCT(creator BIGINT, optional_key VARCHAR[], tile VARCHAR, last_imprint BOOLEAN, members BIGINT[])[]
    FROM events
    UNION ALL
    SELECT
        w.rule_rank,
        w.run_id,
        w.group_key,
        e.step,
        CASE
            -- A row that joins none makes its own association (first pass only).
            WHEN e.phase = 0 AND NOT coalesce(list_bool_or(list_transform(w.asns, lambda a:
                keys_agree(e.optional_key, a.optional_key)
                AND e.is_imprint AND e.tile IS NOT NULL
                AND coalesce(a.tile = e.tile, true)
                AND NOT a.last_imprint)), false)
                THEN list_append(
                    list_transform(w.asns, lambda a:
                        CASE WHEN keys_agree(e.optional_key, a.optional_key)
                            THEN struct_pack(creator := a.creator, optional_key := a.optional_key, tile := a.tile,
                                             last_imprint := e.is_imprint, members := a.members)
                            ELSE a
                        END),
                    struct_pack(
                        creator := e._row,
                        optional_key := e.optional_key,
                        tile := CASE WHEN e.is_imprint THEN e.tile END,
                        last_imprint := e.is_imprint,
                        members := [e._row]
                    )
                )
            ELSE list_transform(w.asns, lambda a:
                CASE
                    WHEN NOT keys_agree(e.optional_key, a.optional_key) OR list_contains(a.members, e._row)
                        THEN a
                    WHEN e.is_imprint AND e.tile IS NOT NULL AND coalesce(a.tile = e.tile, true) AND NOT a.last_imprint
                        THEN struct_pack(creator := a.creator, optional_key := a.optional_key, tile := e.tile,
                                         last_imprint := true, members := list_append(a.members, e._row))
                    ELSE struct_pack(creator := a.creator, optional_key := a.optional_key, tile := a.tile,
                                     last_imprint := e.is_imprint, members := a.members)
                END)
        END
    FROM walk AS w
    JOIN events AS e
        ON e.rule_rank = w.rule_rank AND e.run_id = w.run_id
        AND e.group_key = w.group_key
        AND e.step = w.step + 1
),
final AS (
    SELECT rule_rank, run_id, group_key, arg_max(asns, step) AS asns
    FROM walk
    GROUP BY rule_rank, run_id, group_key
),
made AS (
    SELECT rule_rank, run_id, unnest(asns) AS a
    FROM final
),
listed AS (
    SELECT
        rule_rank,
        run_id,
        a.creator AS creator,
        unnest(a.members) AS member_row,
        unnest(generate_series(1, len(a.members))) AS position
    FROM made
),
joined AS (
    SELECT
        l.rule_rank,
        l.run_id,
        l.creator AS science_row,
        l.creator AS creator_row,
        l.member_row AS _row,
        l.position,
        CASE WHEN l.member_row = l.creator THEN 'science' ELSE 'imprint' END AS exptype,
        r.expname,
        r.target_id,
        coalesce(r.background_flag = 't', false) AS is_bkg,
        r.dither
    FROM listed AS l
    JOIN rule_rows AS r
        ON r.rule_rank = l.rule_rank AND r.run_id = l.run_id
        AND r._row = l.member_row
),
pruned AS (
    SELECT * FROM pruned_imprints(joined)
)
SELECT
    j.rule_rank,
    j.run_id,
    j.science_row AS asn_key,
    j.creator_row,
    j._row,
    j.exptype,
    j.expname,
    row_number() OVER (PARTITION BY j.rule_rank, j.run_id, j.science_row ORDER BY j.position) AS member_order
FROM joined AS j
WHERE NOT EXISTS (
    SELECT 1
    FROM pruned AS p
    WHERE p.rule_rank = j.rule_rank AND p.run_id = j.run_id
        AND p.science_row = j.science_row
        AND p._row = j._row
)
