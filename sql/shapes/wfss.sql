-- needs = ["run_id", "_row", "role", "exptype", "expname", "group_key", "direct_choice", "expspcin_num", "name_prefix", "name_opt_elem", "name_suffix"]
-- optional = ["target"]
--
-- Shape "wfss": one association per grism exposure, its direct images
-- replaced by the Stage 3 products made from them (Stage 2 WFSS).
--
-- Input view `rule_rows`:
--   run_id, _row, role ('science'; 'reoffered' for images and
--   acquisitions, which the reference offers again to associations created
--   after them; 'other'), exptype ('direct_image' for direct images),
--   expname, group_key (list: must be equal),
--   direct_choice ('closest': the direct image taken soonest after the
--   science, by exposure spectral index `expspcin_num`; 'long': the first
--   long-wavelength one), name_prefix/name_opt_elem/name_suffix (the
--   catalog name is prefix || opt_elem of the chosen direct image || suffix).
-- As in the reference, the group's first row creates an association, which
-- the first science row joins; other science rows create their own. Direct
-- images (and acquisitions) join every association of their group, those
-- created after them at the end, as the reference re-offers them; other
-- rows join the associations existing when they come (a group without science
-- still makes one, never written: see the end). An association without a
-- direct image is dropped; the direct images leave, and a direct image,
-- source catalog and segmentation map member (expname and exptype only)
-- come last.
WITH science AS (
    SELECT
        *,
        row_number() OVER (PARTITION BY rule_rank, run_id, group_key ORDER BY _row) AS science_rank
    FROM rule_rows
    WHERE role = 'science'
),
first_row AS (
    SELECT
        rule_rank,
        run_id,
        group_key,
        min(_row) AS _row,
        arg_min(role, _row) AS role
    FROM rule_rows
    GROUP BY rule_rank, run_id, group_key
),
associations AS (
    SELECT
        s.rule_rank,
        s.run_id,
        s._row AS science_row,
        s.group_key,
        s.direct_choice,
        s.expspcin_num,
        s.name_prefix,
        s.name_suffix,
        CASE
            WHEN s.science_rank = 1 AND f.role <> 'science' AND f._row < s._row THEN f._row
            ELSE s._row
        END AS creator_row
    FROM science AS s
    JOIN first_row AS f
        ON f.rule_rank = s.rule_rank AND f.run_id = s.run_id AND f.group_key IS NOT DISTINCT FROM s.group_key
),
members AS (
    SELECT
        a.rule_rank,
        a.run_id,
        a.science_row,
        a.creator_row,
        r._row,
        r.exptype,
        r.expname,
        CASE WHEN r._row >= a.creator_row THEN 0 ELSE 1 END AS phase,
        -- Rank of this direct image as the association's choice.
        CASE
            WHEN r.exptype <> 'direct_image' THEN NULL
            WHEN a.direct_choice = 'long' THEN CASE WHEN contains(r.expname, 'long') THEN 0 ELSE 1 END
            WHEN r.expspcin_num - a.expspcin_num > 0 AND r.expspcin_num - a.expspcin_num < 9999
                THEN r.expspcin_num - a.expspcin_num
            ELSE 9999
        END AS choice,
        r.name_opt_elem
    FROM associations AS a
    JOIN rule_rows AS r
        ON r.rule_rank = a.rule_rank AND r.run_id = a.run_id
        AND r.group_key IS NOT DISTINCT FROM a.group_key
        AND (
            r._row = a.science_row
            OR r.role = 'reoffered'
            OR (r.role = 'other' AND r._row >= a.creator_row)
        )
),
chosen AS (
    -- The best choice, the first direct image (in member order) among equals.
    SELECT
        m.rule_rank,
        m.run_id,
        m.science_row,
        arg_min(m.name_opt_elem, [m.choice, m.phase, m._row]) AS opt_elem
    FROM members AS m
    WHERE m.exptype = 'direct_image'
    GROUP BY m.rule_rank, m.run_id, m.science_row
),
catalogs AS (
    SELECT
        a.rule_rank,
        a.run_id,
        a.science_row,
        a.creator_row,
        NULL::BIGINT AS _row,
        k.exptype,
        lower(a.name_prefix || c.opt_elem || a.name_suffix) || k.ending AS expname,
        2 AS phase,
        k.position AS _order
    FROM associations AS a
    JOIN chosen AS c USING (rule_rank, run_id, science_row)
    CROSS JOIN (
        VALUES
            ('direct_image', '_i2d.fits', 1),
            ('sourcecat', '_cat.ecsv', 2),
            ('segmap', '_segm.fits', 3)
    ) AS k(exptype, ending, position)
),
kept AS (
    SELECT
        m.rule_rank,
        m.run_id,
        m.science_row,
        m.creator_row,
        m._row,
        m.exptype,
        m.expname,
        m.phase,
        m._row AS _order
    FROM members AS m
    JOIN chosen AS c USING (rule_rank, run_id, science_row)
    WHERE m.exptype <> 'direct_image'
    UNION ALL
    SELECT * FROM catalogs
)
SELECT
    rule_rank,
    run_id,
    science_row AS asn_key,      -- identifies the association within its run
    creator_row,                 -- pool row that created it (creation order)
    _row,                        -- NULL for the catalog members
    exptype,
    expname,
    row_number() OVER (PARTITION BY rule_rank, run_id, science_row ORDER BY phase, _order) AS member_order
FROM kept
WHERE $finalize
UNION ALL
-- Without finalising (`$finalize` false), the reference writes the
-- members as gathered: direct images stay, no catalog members come.
SELECT
    rule_rank,
    run_id,
    science_row AS asn_key,
    creator_row,
    _row,
    exptype,
    expname,
    row_number() OVER (PARTITION BY rule_rank, run_id, science_row ORDER BY phase, _row) AS member_order
FROM members
WHERE NOT $finalize
UNION ALL
-- Groups without science (see the macro).
SELECT * FROM groups_without_science(rule_rows, ['science'])
