-- name = "Asn_MIRLRSTAConfirm"
-- asn_type = "spec2"
-- level = 2
-- shape = "single_science_imprints"
-- purpose = "Calibrate each MIRI LRS slit or slitless spectrum on its own, with the backgrounds taken in the same mode and its target-acquisition confirmation image."
-- groups_on = "program; instrument, detector, filter (or band), LRS exposure type, pupil/grating, slit, subarray, channel when set"
-- excludes = "anything but MIR_LRS-FIXEDSLIT and MIR_LRS-SLITLESS (and MIR_TACONFIRM); time-series backgrounds; NIRSpec opaque-filter and wavefront-sensing exposures"
-- attaches = "background exposures of the same mode that are not time series (as `background`); a TA confirmation image (as `target_acquisition`): the one that opens the pass, for the first science of its observation or mode after it, else the first one after the science"
WITH lrs AS (
    SELECT
        *,
        item_exptype2 AS exptype,
        exp_type = 'mir_taconfirm' AS is_confirm,
        [instrume, detector, coalesce(filter, band), exp_type, tsovisit, coalesce(pupil, grating), fxd_slit, subarray, channel] AS mode_key,
        -- What a confirmation image pins for the science after it.
        [instrume, detector, coalesce(filter, band), coalesce(pupil, grating), fxd_slit, subarray, channel] AS optics_key
    FROM items
    WHERE program IS NOT NULL
        AND (
            exp_type = 'mir_taconfirm'
            OR (
                exp_type IN ('mir_lrs-slitless', 'mir_lrs-fixedslit')
                AND stage2_mode_ok(program, instrume, detector, filter, band, exp_type, visitype)
                AND (
                    item_exptype2 = 'science'
                    -- Backgrounds join unless they are time series.
                    OR (bkgdtarg IS NOT NULL AND NOT item_is_tso)
                )
            )
        )
),
opener AS (
    -- A confirmation image that opens its pass (no LRS exposure before it)
    -- makes an association the first science of its observation, or of its
    -- mode, then joins.
    SELECT
        c.run_id,
        c._row AS confirm_row,
        (
            SELECT min(s._row)
            FROM lrs AS s
            WHERE s.run_id = c.run_id
                AND s._row > c._row
                AND s.exptype = 'science'
                AND NOT s.is_confirm
                AND (s.obs_id = c.obs_id OR keys_agree(c.optics_key, s.optics_key))
        ) AS science_row
    FROM lrs AS c
    WHERE c.is_confirm
        AND NOT EXISTS (SELECT 1 FROM lrs AS e WHERE e.run_id = c.run_id AND e._row < c._row)
),
confirmed AS (
    -- The confirmation image each science gets: its opener, else the first
    -- one taken after it (which joins every association still without one).
    SELECT
        s.run_id,
        s._row,
        coalesce(
            o.confirm_row,
            (SELECT min(c._row) FROM lrs AS c WHERE c.run_id = s.run_id AND c.is_confirm AND c._row > s._row),
            -- else the first taken before it, offered again at the pass's end
            (SELECT min(c._row) FROM lrs AS c WHERE c.run_id = s.run_id AND c.is_confirm AND c._row < s._row)
        ) AS confirm_row,
        -- An opener pins the optics its association's backgrounds must share.
        CASE
            WHEN o.confirm_row IS NOT NULL THEN [
                coalesce(t.optics_key[1], s.mode_key[1]),
                coalesce(t.optics_key[2], s.mode_key[2]),
                coalesce(t.optics_key[3], s.mode_key[3]),
                s.mode_key[4],
                s.mode_key[5],
                coalesce(t.optics_key[4], s.mode_key[6]),
                coalesce(t.optics_key[5], s.mode_key[7]),
                coalesce(t.optics_key[6], s.mode_key[8]),
                coalesce(t.optics_key[7], s.mode_key[9])
            ]
            ELSE s.mode_key
        END AS mode_key
    FROM lrs AS s
    LEFT JOIN opener AS o
        ON o.run_id = s.run_id
        AND o.science_row = s._row
    LEFT JOIN lrs AS t
        ON t.run_id = o.run_id
        AND t._row = o.confirm_row
    WHERE s.exptype = 'science' AND NOT s.is_confirm
),
lone AS (
    -- A confirmation image no association takes as it comes makes one of
    -- its own: never written (no science), but numbered.
    SELECT c.run_id, c._row
    FROM lrs AS c
    WHERE c.is_confirm
        AND NOT EXISTS (
            SELECT 1 FROM opener AS o
            WHERE o.run_id = c.run_id AND o.confirm_row = c._row AND o.science_row IS NOT NULL
        )
        AND NOT EXISTS (
            SELECT 1 FROM confirmed AS s
            WHERE s.run_id = c.run_id AND s.confirm_row = c._row AND s._row < c._row
        )
)
SELECT
    l.run_id,
    l._row,
    CASE
        WHEN l.exptype = 'science' AND NOT l.is_confirm THEN 'science'
        WHEN n._row IS NOT NULL THEN 'both'
        ELSE 'attach'
    END AS role,
    l.exptype,
    stage2_expname(l.filename, l.item_ints) AS expname,
    [l.program] AS group_key,
    list_append(
        CASE
            WHEN l.is_confirm THEN list_transform(l.mode_key, lambda k: NULL::VARCHAR)
            ELSE coalesce(c.mode_key, l.mode_key)
        END,
        -- Which confirmation image an association takes ('none': none).
        CASE
            WHEN l.is_confirm THEN l._row::VARCHAR
            WHEN c._row IS NOT NULL THEN coalesce(c.confirm_row::VARCHAR, 'none')
        END
    ) AS optional_key,
    'background' AS queue,
    NULL::VARCHAR AS attach_exptype,
    NULL::VARCHAR AS target_id,
    NULL::VARCHAR AS background_flag,
    NULL::VARCHAR AS dither
FROM lrs AS l
LEFT JOIN confirmed AS c USING (run_id, _row)
LEFT JOIN lone AS n USING (run_id, _row)
