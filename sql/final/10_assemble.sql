-- asn_member: every member of every association the rules made, numbered.
--
-- `asn_uid` orders associations as the reference creates them: pass,
-- creating row, rule, then the shape's own key. Members that are not pool
-- rows (WFSS catalogs, `_row` NULL) carry only `expname` and `exptype`.
CREATE OR REPLACE TABLE asn_member AS
WITH numbers AS (
    -- Numbered over the keys alone: a window sorts all it carries.
    SELECT
        member,
        dense_rank() OVER (ORDER BY run_id, creator_row, rule_rank, asn_key) AS asn_uid,
        row_number() OVER (
            PARTITION BY run_id, creator_row, rule_rank, asn_key
            ORDER BY member_order, _row
        ) AS position
    FROM rule_members
)
SELECT
    n.asn_uid,
    n.position,
    m.* EXCLUDE (member),
    e.raw_exposerr AS exposerr,
    i.item_candidate AS member_candidate
FROM rule_members AS m
JOIN numbers AS n ON n.member = m.member
LEFT JOIN exposures AS e ON e._row = m._row
LEFT JOIN items AS i ON i.run_id = m.run_id AND i._row = m._row;

-- asn_made: one row per association the rules made, with what names it and
-- what finalising weighs. Name parts come from the members the rule itself
-- accepted (all but target acquisitions, which join on their observation).
-- Built in steps (made_facts, made_values, made_parts, made_firsts): as one statement
-- DuckDB misjudges the joins' sizes and takes half as long again.
CREATE OR REPLACE TEMP TABLE made_facts AS
SELECT
    asn_uid,
    count(*) AS n_members,
    list(DISTINCT exptype) AS exptypes,
    member_set(expname, exptype) AS membership,
    count(DISTINCT obs_num) FILTER (exptype <> 'target_acquisition') AS n_obs,
    count(*) FILTER (exptype = 'science') AS n_science,
    arg_min(expname, position) FILTER (exptype = 'science') AS first_science
FROM asn_member
GROUP BY asn_uid;

-- Only Stage 3 products are named from their members' values.
CREATE OR REPLACE TEMP TABLE made_values AS
SELECT
    m.asn_uid,
    joined_values(list(m.target)) AS targets,
    joined_values(list(m.instrument)) AS instruments,
    joined_values(list(m.opt_elem)) AS opt1,
    joined_values(list(m.opt_elem2)) AS opt2,
    joined_values(list(m.slit) FILTER (m.slit IN ('s200a1', 's200a2'))) AS paired_slits,
    joined_values(list(m.slit) FILTER (m.slit NOT IN ('s200a1', 's200a2'))) AS single_slits,
    joined_values(list(m.subarray)) AS subarrays
FROM asn_member AS m
JOIN rule_info AS k USING (rule_rank)
WHERE k.level = 3 AND m.exptype <> 'target_acquisition'
GROUP BY m.asn_uid;

-- Further placeholders a rule fills from its `name_parts` map.
CREATE OR REPLACE TEMP TABLE made_parts AS
SELECT
    asn_uid,
    map_from_entries(list({'key': key, 'value': value})) AS parts
FROM (
    SELECT
        asn_uid,
        part.key AS key,
        joined_values(list(part.value)) AS value
    FROM (
        SELECT asn_uid, unnest(map_entries(name_parts)) AS part
        FROM asn_member
        WHERE exptype <> 'target_acquisition' AND name_parts IS NOT NULL
    )
    GROUP BY asn_uid, part.key
)
GROUP BY asn_uid;

-- The first member of each: what our `constraints` text quotes.
CREATE OR REPLACE TEMP TABLE made_firsts AS
SELECT
    asn_uid, run_id, creator_row, rule, rule_rank, program, instrument, target, opt_elem,
    opt_elem2, slit, subarray
FROM asn_member
WHERE position = 1;

CREATE OR REPLACE TABLE asn_made AS
WITH made AS (
    SELECT
        f.asn_uid,
        r._pool,
        r.registry,
        r.cand_type AS acid_type,
        CASE WHEN r.registry = 'candidate' THEN r.cand_id ELSE 'a3001' END AS asn_id,
        f.rule,
        f.rule_rank,
        k.level,
        k.asn_type,
        k.rule_file,
        k.product_parts,
        k.finalize_with,
        k.valid_requires,
        k.valid_min_members,
        k.valid_candidate_types,
        k.invalid_candidate_types,
        k.any_candidate,
        k.validity,
        padded_program(c.raw_program) AS program,
        c.raw_targetid,
        -- Our `constraints`: the SQL rule and the key values of its first member.
        'rule ' || f.rule || ' (' || k.rule_file || '): ' || concat_ws(', ',
            'candidate=' || CASE WHEN r.registry = 'candidate' THEN r.cand_id ELSE 'a3001' END,
            'program=' || f.program, 'instrument=' || f.instrument, 'target=' || f.target,
            'opt_elem=' || f.opt_elem, 'opt_elem2=' || f.opt_elem2, 'slit=' || f.slit,
            'subarray=' || f.subarray) AS constraints,
        x.*  EXCLUDE (asn_uid),
        -- An association with no member the rule accepted names from nothing.
        coalesce(v.targets, '') AS targets,
        coalesce(v.instruments, '') AS instruments,
        coalesce(v.opt1, '') AS opt1,
        coalesce(v.opt2, '') AS opt2,
        coalesce(v.paired_slits, '') AS paired_slits,
        coalesce(v.single_slits, '') AS single_slits,
        coalesce(v.subarrays, '') AS subarrays,
        p.parts
    FROM made_firsts AS f
    JOIN runs AS r USING (run_id)
    JOIN rule_info AS k USING (rule_rank)
    -- The creating row names the association even when it is no member.
    JOIN exposures AS c ON c._row = f.creator_row
    JOIN made_facts AS x USING (asn_uid)
    LEFT JOIN made_values AS v USING (asn_uid)
    LEFT JOIN made_parts AS p USING (asn_uid)
),
valued AS (
    -- A Stage 3 name's values, worked out once per association rather than
    -- once per placeholder of its template (a third of the statement's time).
    SELECT
        *,
        't' || zero_pad(targets, 3) AS name_target,
        CASE WHEN level = 3 THEN coalesce(nullif(joined_pair(opt1, opt2), ''), 'clear') END
            AS name_opt_elem,
        -- The distinct slit names.
        CASE
            WHEN level = 3 THEN joined_pair(
                paired_slits, CASE WHEN single_slits = paired_slits THEN '' ELSE single_slits END)
        END AS name_slits
    FROM made
)
SELECT
    * EXCLUDE (parts, product_parts, raw_targetid, name_target, name_opt_elem, name_slits),
    CASE WHEN level = 3 THEN name_target ELSE raw_targetid END AS target,
    CASE
        -- A placeholder of the rule's template: our own fields first, then
        -- the rule's `name_parts`; one with no value is left as written.
        WHEN level = 3 THEN lower(array_to_string(list_transform(product_parts, lambda part:
            part.literal || CASE
                WHEN part.field IS NULL THEN ''
                ELSE coalesce(CASE part.field
                    WHEN 'program' THEN program
                    WHEN 'acid' THEN asn_id
                    WHEN 'target' THEN name_target
                    WHEN 'instrument' THEN instruments
                    WHEN 'opt_elem' THEN name_opt_elem
                    WHEN 'slit' THEN CASE WHEN name_slits <> '' THEN '-' || name_slits ELSE '' END
                    WHEN 'subarray' THEN
                        CASE WHEN subarrays IN ('', 'full') THEN '' ELSE '-' || subarrays END
                    ELSE parts[part.field]
                END, '{' || part.field || '}')
            END), ''))
        WHEN first_science IS NULL THEN 'undefined'
        -- Stage 2: the science member's file name without extension or suffix.
        ELSE without_suffix(stage2_stem(first_science))
    END AS product_name
FROM valued;

DROP TABLE made_facts;
DROP TABLE made_values;
DROP TABLE made_parts;
DROP TABLE made_firsts;
