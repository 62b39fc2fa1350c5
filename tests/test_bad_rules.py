"""Hostile and malformed rule files (issue 11): one line naming the file, nothing written.

Every case runs ``asnsql generate POOL -r RULE -p OUT`` through the shared
contract (:func:`badinput.refuses`). The last tests show the DuckDB sandbox
stopping a file read the SQL check never saw, and that good rules and ``-P``
still work.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from asnsql import api, engine
from asnsql.errors import RuleError
from asnsql.registry import Rule, load_rule

from badinput import files_under, refuses

ROOT = Path(__file__).resolve().parents[1]
POOL = ROOT / "fixtures" / "pools" / "pool_002_image_miri.csv"

HEADER = """\
-- name = "Asn_Custom"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "A test rule."
"""

COLUMNS = """\
SELECT run_id, _row, 'science' AS role, 'science' AS exptype, filename AS expname,
    [program] AS group_key, [] AS optional_key
"""

GOOD_BODY = COLUMNS + "FROM items\n"


def rule_file(tmp_path: Path, text: str | bytes, name: str = "evil.sql") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def refuses_rule(tmp_path: Path, text: str | bytes, *extra, names=()) -> str:
    path = rule_file(tmp_path, text)
    out = tmp_path / "out"
    return refuses(["generate", POOL, "-r", path, "-p", out, *extra],
                   names=[str(path), *names], out=out)


# ---- SQL that reaches beyond ``items`` ---------------------------------------

ESCAPES = {
    "lateral_read_text": COLUMNS + "FROM items, LATERAL read_text('/etc/passwd')",
    "read_text_in_from": COLUMNS + "FROM items, read_text('/etc/passwd')",
    "read_csv_in_from": COLUMNS + "FROM items, read_csv('/etc/passwd')",
    "read_parquet_in_from": COLUMNS + "FROM items, read_parquet('x.parquet')",
    "glob_in_from": COLUMNS + "FROM items, glob('/etc/*')",
    "range_in_from": COLUMNS + "FROM items, range(3)",
    "query_table": COLUMNS + "FROM items, query_table('pool')",
    "path_as_table": COLUMNS + "FROM items, '/etc/passwd'",
    "reads_pool": COLUMNS + "FROM pool",
    "reads_runs": COLUMNS + "FROM items JOIN runs USING (run_id)",
    "reads_pool_in_subquery": COLUMNS + "FROM items WHERE _row IN (SELECT _row FROM pool)",
    "cte_pool_in_other_scope": (
        COLUMNS + "FROM items WHERE _row IN (WITH pool AS (FROM items) SELECT _row FROM pool)"
        " OR _row IN (SELECT _row FROM pool)"),
    "cte_items_in_other_scope": (
        COLUMNS + "FROM items WHERE _row IN (WITH items AS (FROM pool) SELECT _row FROM items)"),
    "attached_catalog": COLUMNS + "FROM other.main.items",
    "getenv": COLUMNS.replace("filename AS expname", "getenv('HOME') AS expname") + "FROM items",
    "read_text_scalar": (
        COLUMNS.replace("filename AS expname",
                        "(SELECT content FROM read_text('/etc/passwd')) AS expname")
        + "FROM items"),
}


@pytest.mark.parametrize("body", ESCAPES.values(), ids=ESCAPES.keys())
def test_rule_reading_beyond_items_is_refused(tmp_path, body):
    refuses_rule(tmp_path, HEADER + body)


def test_two_statements(tmp_path):
    refuses_rule(tmp_path, HEADER + GOOD_BODY + ";\nSELECT 1", names=["one SELECT"])


@pytest.mark.parametrize("body", [
    "COPY (SELECT 1) TO '/tmp/asnsql_evil.csv'",
    "CREATE TABLE t AS SELECT 1",
    "ATTACH '/tmp/asnsql_evil.db' AS x",
    "SET enable_external_access = true",
], ids=["copy", "create", "attach", "set"])
def test_not_a_select(tmp_path, body):
    refuses_rule(tmp_path, HEADER + body)
    assert not Path("/tmp/asnsql_evil.csv").exists()


def test_crafted_comment_token_error(tmp_path):
    refuses_rule(tmp_path, HEADER + GOOD_BODY + "/* never closed\n", names=["not DuckDB SQL"])


def test_unclosed_string(tmp_path):
    refuses_rule(tmp_path, HEADER + COLUMNS + "FROM items WHERE filename = 'x\n")


# ---- shapes ------------------------------------------------------------------

@pytest.mark.parametrize("shape", [
    "../../somewhere/evil", "/etc/passwd", "single_science/../single_science", "", "no_such",
])
def test_shape_must_be_a_builtin_name(tmp_path, shape):
    text = HEADER.replace('"single_science"', json.dumps(shape)) + GOOD_BODY
    refuses_rule(tmp_path, text, names=["shape"])


def test_shape_path_traversal_loads_nothing(tmp_path):
    evil = tmp_path / "evil_shape.sql"
    evil.write_text("-- needs = []\nCOPY (SELECT 1) TO 'written.csv'\n")
    text = HEADER.replace('"single_science"', json.dumps(str(evil.with_suffix("")))) + GOOD_BODY
    refuses_rule(tmp_path, text, names=["shape"])
    assert not (tmp_path / "written.csv").exists()


# ---- headers -------------------------------------------------------------------

def test_header_not_toml(tmp_path):
    refuses_rule(tmp_path, HEADER + "-- level 2 = = \n" + GOOD_BODY)


@pytest.mark.parametrize("line,key", [
    ('-- valid_require = ["psf"]', "valid_require"),
    ('-- shap = "x"', "shap"),
])
def test_unknown_header_key(tmp_path, line, key):
    refuses_rule(tmp_path, HEADER + line + "\n" + GOOD_BODY, names=[key])


@pytest.mark.parametrize("old,new,key", [
    ("level = 2", 'level = "two"', "level"),
    ("level = 2", "level = 4", "level"),
    ("level = 2", "level = true", "level"),
    ('name = "Asn_Custom"', "name = 3", "name"),
    ('name = "Asn_Custom"', 'name = "../x"', "name"),
    ('purpose = "A test rule."', "purpose = [1]", "purpose"),
], ids=["level_text", "level_4", "level_bool", "name_int", "name_path", "purpose_list"])
def test_header_wrong_type(tmp_path, old, new, key):
    refuses_rule(tmp_path, HEADER.replace(old, new) + GOOD_BODY, names=[key])


def test_header_extra_key_wrong_type(tmp_path):
    refuses_rule(tmp_path, HEADER + '-- valid_min_members = "two"\n' + GOOD_BODY,
                 names=["valid_min_members"])


@pytest.mark.parametrize("template", ["{program.__class__}", "{program[0]}", "{program!r}",
                                      "{program:>99}", "jw{"])
def test_product_name_template_evaluates_nothing(tmp_path, template):
    refuses_rule(tmp_path, HEADER + f'-- product_name = "{template}"\n' + GOOD_BODY,
                 names=["product_name"])


def test_not_utf8(tmp_path):
    refuses_rule(tmp_path, (HEADER + GOOD_BODY).encode() + b"-- \xff\xfe caf\xe9\n",
                 names=["UTF-8"])


# ---- parameters and run-time failures -------------------------------------------

PARAM_RULE = (HEADER + '-- params = ["wanted"]\n' + COLUMNS
              + "FROM items WHERE exp_type = $wanted\n")


def test_missing_param(tmp_path):
    refuses_rule(tmp_path, PARAM_RULE, names=["wanted", "Asn_Custom"])


def test_param_given_but_not_declared(tmp_path):
    refuses_rule(tmp_path, HEADER + COLUMNS + "FROM items WHERE exp_type = $wanted\n",
                 names=["wanted"])


def test_runtime_conversion_error(tmp_path):
    body = COLUMNS + "FROM items WHERE CAST(exp_type AS INTEGER) > 0\n"
    message = refuses_rule(tmp_path, HEADER + body, names=["Asn_Custom"])
    assert "Conversion" in message


def test_runtime_error_names_the_culprit_among_good_rules(tmp_path):
    good = rule_file(tmp_path, HEADER.replace("Asn_Custom", "Asn_Fine") + GOOD_BODY, "fine.sql")
    bad = rule_file(tmp_path, HEADER + COLUMNS + "FROM items WHERE CAST(exp_type AS INTEGER) > 0\n")
    out = tmp_path / "out"
    message = refuses(["generate", POOL, "-r", good, "-r", bad, "-p", out],
                      names=[str(bad)], out=out)
    assert str(good) not in message


# ---- the wall under the check -----------------------------------------------------

def _unchecked_rule(path: Path, sql: str) -> Rule:
    """A rule as load_rule would build it, with SQL the check would refuse."""
    good = load_rule(rule_file(path, HEADER + GOOD_BODY, "good.sql"))
    return Rule(**{**good.__dict__, "sql": sql, "path": path / "unchecked.sql"})


def test_sandbox_stops_a_file_read_the_check_never_saw(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    rule = _unchecked_rule(tmp_path, COLUMNS.replace(
        "filename AS expname", "(SELECT content FROM read_text($path)) AS expname")
        + "FROM items")
    rule = Rule(**{**rule.__dict__, "params": ("path",)})
    con = duckdb.connect()
    with pytest.raises(RuleError, match="unchecked.sql") as caught:
        api.run_pass(con, [POOL], [rule], params={"path": str(secret)}, sandbox=True)
    assert "top secret" not in str(caught.value)
    assert engine.is_sandboxed(con)
    with pytest.raises(duckdb.Error):
        con.execute("SET enable_external_access = true")
    with pytest.raises(duckdb.Error):
        con.execute(f"SELECT * FROM read_text('{secret}')")


def test_api_generate_leaves_the_callers_connection_unlocked(tmp_path):
    con = duckdb.connect()
    result = api.generate(POOL, con=con)
    assert result.texts
    assert not engine.is_sandboxed(con)
    con.execute(f"COPY (SELECT 1 AS x) TO '{tmp_path / 'mine.csv'}'")
    assert (tmp_path / "mine.csv").exists()


# ---- what still works ------------------------------------------------------------

def test_custom_rule_works(tmp_path):
    from badinput import CliRunner, main  # the same runner the contract uses

    path = rule_file(tmp_path, HEADER + GOOD_BODY, "custom.sql")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", str(POOL), "-r", str(path), "-p", str(out)])
    assert result.exit_code == 0, result.output
    rules = {json.loads((out / f).read_text())["asn_rule"] for f in files_under(out)}
    assert "candidate_Asn_Custom" in rules


def test_param_binds_a_value(tmp_path):
    from badinput import CliRunner, main

    path = rule_file(tmp_path, PARAM_RULE, "param.sql")
    out = tmp_path / "out"
    args = ["generate", str(POOL), "-r", str(path), "--ignore-default", "-p", str(out)]
    result = CliRunner().invoke(main, [*args, "-P", "wanted", "mir_image"])
    assert result.exit_code == 0, result.output
    written = files_under(out)
    assert written and all("Asn_Custom" in (out / f).read_text() for f in written)
    # A value is bound, never pasted: SQL in it matches nothing and runs nothing.
    other = tmp_path / "other"
    result = CliRunner().invoke(main, [*args[:-1], str(other), "-P", "wanted",
                                       "x' OR true OR '"])
    assert result.exit_code == 0, result.output
    assert files_under(other) == []


def test_explain_wants_the_rule_params_too(tmp_path):
    from badinput import CliRunner, main

    path = rule_file(tmp_path, PARAM_RULE, "param.sql")
    refuses(["explain", POOL, "jw_00001_uncal.fits", "--ignore-default", "-r", path],
            names=["param.sql", "wanted"])
    result = CliRunner().invoke(main, ["explain", str(POOL), "jw_00001_uncal.fits",
                                       "--ignore-default", "-r", str(path), "-P", "wanted", "x"])
    assert result.exit_code == 0, result.output


def test_params_through_the_api(tmp_path):
    path = rule_file(tmp_path, PARAM_RULE, "param.sql")
    kept = api.generate(POOL, rules=[path], ignore_default=True, params={"wanted": "mir_image"})
    none = api.generate(POOL, rules=[path], ignore_default=True, params={"wanted": "nrc_image"})
    assert kept.texts and not none.texts
    with pytest.raises(RuleError, match="wanted"):
        api.generate(POOL, rules=[path], ignore_default=True)


# ---- more shapes of the same classes -------------------------------------------

MORE = {
    "lateral_subquery": COLUMNS + "FROM items, LATERAL (SELECT * FROM read_text('/etc/passwd'))",
    "scalar_subquery_candidates": COLUMNS + "FROM items WHERE _row IN (SELECT _row FROM candidates)",
    "read_blob_scalar": COLUMNS + "FROM items WHERE length(read_blob('/etc/passwd')) > 0",
    "current_setting": COLUMNS + "FROM items WHERE current_setting('threads') > 0",
    "dollar_quote": COLUMNS + "FROM items WHERE $$ x",
    "pragma": "PRAGMA version\n",
    "empty_file": "",
}


@pytest.mark.parametrize("text", [HEADER + b if b else b for b in MORE.values()], ids=MORE.keys())
def test_more_bad_rule_files(tmp_path, text):
    refuses_rule(tmp_path, text)


@pytest.mark.parametrize("line, key", [
    ('-- valid_requires = "psf"', "valid_requires"),
    ('-- params = "wanted"', "params"),
    ('-- candidates = "all"', "candidates"),
])
def test_optional_header_key_of_the_wrong_type(tmp_path, line, key):
    refuses_rule(tmp_path, HEADER + line + "\n" + GOOD_BODY, names=[key])


def test_header_lacking_a_key(tmp_path):
    header = "".join(line + "\n" for line in HEADER.splitlines() if "purpose" not in line)
    refuses_rule(tmp_path, header + GOOD_BODY, names=["purpose"])


def test_cte_of_the_rules_own_is_allowed(tmp_path):
    text = HEADER + "WITH mine AS (FROM items)\n" + COLUMNS + "FROM mine\n"
    assert load_rule(rule_file(tmp_path, text)).name == "Asn_Custom"


def test_sandbox_cannot_be_lifted_on_any_cursor(tmp_path):
    con = duckdb.connect()
    engine.sandbox(con)
    engine.sandbox(con)  # again: harmless
    for statement in ("SET lock_configuration = false", "RESET enable_external_access",
                      f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'"):
        with pytest.raises(duckdb.Error):
            con.cursor().execute(statement)
    assert not (tmp_path / "x.csv").exists()
