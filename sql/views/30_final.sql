-- Macros for finalising and writing associations (sql/final/).

-- Distinct values joined with '-', sorted case-insensitively: how the
-- reference names a product from the values its constraints found (each
-- escaped as Python's re.escape escapes it).
-- Escaping is one-to-one, so the values are made distinct (dropping NULLs)
-- before they are escaped: one escape per value, not one per member.
CREATE OR REPLACE MACRO joined_values(vs) AS coalesce(array_to_string(
    list_transform(
        list_sort(list_transform(
            list_transform(list_distinct(vs), lambda v: re_escape(v)),
            lambda e: {'k': lower(e), 'v': e}
        )),
        lambda s: s.v
    ),
    '-'
), '');

-- Two words as the reference joins the parts of a name: the non-empty ones,
-- sorted case-insensitively (stable), with '-'.
CREATE OR REPLACE MACRO joined_pair(a, b) AS
    CASE
        WHEN coalesce(a, '') = '' THEN coalesce(b, '')
        WHEN coalesce(b, '') = '' THEN a
        WHEN lower(b) < lower(a) THEN b || '-' || a
        ELSE a || '-' || b
    END;

-- Python's str.rjust(n, '0'): pad on the left, never cut.
CREATE OR REPLACE MACRO zero_pad(v, n) AS
    CASE WHEN length(v) < n THEN lpad(v, n, '0') ELSE v END;

-- The last part of a path, and the part before it ('' when there is none).
CREATE OR REPLACE MACRO path_name(p) AS
    CASE WHEN contains(p, '/') THEN regexp_extract(p, '[^/]*$') ELSE p END;
CREATE OR REPLACE MACRO path_parent(p) AS regexp_extract(p, '^(.*)/[^/]*$', 1);

-- A file name without its last extension, as Python's PurePath.stem: one
-- search, the name as it is where the pattern does not match.
CREATE OR REPLACE MACRO path_stem(name) AS regexp_replace(name, '^(.+)\.[^.]+$', '\1');

-- The stem a Stage 2 product is named from: directory kept, extension cut
-- (Python's `PurePosixPath(p).parent / stem`, the parent dropped when '.').
-- A name without '/' (a pool's usual) is its own last part, with no parent.
CREATE OR REPLACE MACRO stage2_stem(p) AS
    CASE
        WHEN NOT contains(p, '/') THEN path_stem(p)
        ELSE CASE
            WHEN path_parent(p) NOT IN ('', '.') THEN path_parent(p) || '/'
            WHEN p LIKE '/%' THEN '/'
            ELSE ''
        END || path_stem(path_name(p))
    END;

-- A text as a JSON string, exactly as Python's json.dumps writes it
-- (ASCII only: other characters as \uXXXX, surrogate pairs above U+FFFF).
CREATE OR REPLACE MACRO json_text(s) AS
    CASE
        WHEN s IS NULL THEN 'null'
        WHEN regexp_full_match(s, '[ !#-\[\]-~]*') THEN '"' || s || '"'
        ELSE '"' || array_to_string(list_transform(string_split(s, ''), lambda c:
            CASE
                WHEN c = '"' THEN '\"'
                WHEN c = '\' THEN '\\'
                WHEN c = chr(10) THEN '\n'
                WHEN c = chr(13) THEN '\r'
                WHEN c = chr(9) THEN '\t'
                WHEN c = chr(8) THEN '\b'
                WHEN c = chr(12) THEN '\f'
                WHEN unicode(c) > 65535 THEN
                    printf('\u%04x\u%04x',
                           55296 + ((unicode(c) - 65536) >> 10),
                           56320 + ((unicode(c) - 65536) & 1023))
                WHEN unicode(c) < 32 OR unicode(c) > 126 THEN printf('\u%04x', unicode(c))
                ELSE c
            END), '') || '"'
    END;

-- `json_text` of each string of a list: one expansion of the escaping for
-- many fields, which keeps the statements that build documents quick to plan.
CREATE OR REPLACE MACRO json_texts(strings) AS list_transform(strings, lambda s: json_text(s));

-- Texts joined with `sep` in the order of `pos` (unique in each group). An
-- aggregate: the texts are gathered as they come and then sorted, which is
-- quicker than an ordered string_agg (it sorts every group on its own).
CREATE OR REPLACE MACRO texts_in_order(pos, text, sep) AS
    array_to_string(list_transform(list_sort(list({'pos': pos, 'text': text})),
                                   lambda t: t.text), sep);

-- An association's members as one comparable text of sorted (expname,
-- exptype) pairs; NULL when an expname repeats, which the reference never
-- calls a duplicate. An aggregate: use it over one association's members.
CREATE OR REPLACE MACRO member_set(expname, exptype) AS
    CASE
        WHEN count(DISTINCT coalesce(expname, chr(0))) = count(*)
            -- Sorted as text (quicker than an ordered string_agg): any one
            -- order serves, as these texts are only ever compared for equality.
            THEN array_to_string(list_sort(list(coalesce(expname, chr(0)) || chr(31) || exptype)),
                                 chr(30))
    END;

-- Whether an association of a rule (its level and header's candidate
-- tests) made in a pass of candidate type `acid_type` is invalid whatever
-- its members: the candidate-type tests of asn_listed's invalid_reason
-- (sql/final/20_finalize.sql), which must say as much.
CREATE OR REPLACE MACRO invalid_for_type(level, any_candidate, valid_types, invalid_types,
                                         acid_type) AS
    (valid_types IS NOT NULL AND NOT list_contains(valid_types, acid_type))
    OR (level = 2 AND NOT any_candidate AND acid_type NOT IN ('observation', 'background'))
    OR list_contains(invalid_types, acid_type);
