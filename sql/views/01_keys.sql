-- Key matching shared by the shapes.
--
-- Optional keys are lists whose NULL entries mean "not set": a row that does
-- not set a key is not held to it, as in the reference where an unset
-- optional keyword neither pins nor fails a constraint.
CREATE OR REPLACE MACRO keys_agree(a, b) AS
    coalesce(
        list_bool_and(
            list_transform(list_zip(a, b), lambda p: p[1] IS NULL OR p[2] IS NULL OR p[1] = p[2])
        ),
        true
    );

-- `a` is at least as specific as `b`: every key set in `b` is set to the
-- same value in `a`.
CREATE OR REPLACE MACRO keys_cover(a, b) AS
    coalesce(
        list_bool_and(
            -- an entry unset in `a` but set in `b` is false, not NULL
            list_transform(list_zip(a, b), lambda p: p[2] IS NULL OR coalesce(p[1] = p[2], false))
        ),
        true
    );
