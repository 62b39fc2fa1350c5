"""Rule files: every built-in rule loads and documents itself; bad rules are refused."""


import pytest

from asnsql.errors import RuleError
from asnsql.registry import default_rule_paths, load_rule, load_rules
from asnsql.rulesdoc import DOC_KEYS

GOOD = """\
-- name = "Asn_Test"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "A test rule."
{extra}
SELECT
    run_id,
    _row,
    'science' AS role,
    'science' AS exptype,
    filename AS expname,
    [program] AS group_key,
    [] AS optional_key
FROM {table}
{where}
"""


def write_rule(tmp_path, extra="", table="items", where=""):
    path = tmp_path / "rule.sql"
    path.write_text(GOOD.format(extra=extra, table=table, where=where))
    return path


@pytest.mark.parametrize("path", default_rule_paths(), ids=lambda p: p.stem)
def test_builtin_rule_loads_and_documents_itself(path):
    rule = load_rule(path)
    assert rule.name.startswith("Asn_")
    assert rule.level in (2, 3)
    assert path.parent.name == f"level{rule.level}"
    for key in DOC_KEYS:
        assert rule.options.get(key), f"{path.name}: header lacks {key}"


def test_rules_come_in_reference_order():
    rules = load_rules()
    assert [r.order for r in rules] == sorted(r.order for r in rules)
    assert len({r.name for r in rules}) == len(rules)


def test_good_rule_loads(tmp_path):
    rule = load_rule(write_rule(tmp_path))
    assert (rule.name, rule.asn_type, rule.level, rule.shape) == (
        "Asn_Test", "image2", 2, "single_science",
    )


def test_rule_may_not_read_the_pool_directly(tmp_path):
    with pytest.raises(RuleError, match="reads pool; rules may read only items"):
        load_rule(write_rule(tmp_path, table="pool"))


def test_parameters_must_be_declared(tmp_path):
    with pytest.raises(RuleError, match=r"declares parameters \[\] but uses \['band'\]"):
        load_rule(write_rule(tmp_path, where="WHERE band = $band"))


def test_declared_parameters_are_accepted(tmp_path):
    rule = load_rule(write_rule(tmp_path, extra='-- params = ["band"]', where="WHERE band = $band"))
    assert rule.params == ("band",)


def test_shape_columns_are_required(tmp_path):
    path = tmp_path / "rule.sql"
    path.write_text(GOOD.format(extra="", table="items", where="").replace("    [] AS optional_key\n", "").replace("group_key,", "group_key"))
    with pytest.raises(RuleError, match="shape single_science needs columns optional_key"):
        load_rule(path)


def test_unknown_shape_is_refused(tmp_path):
    path = write_rule(tmp_path)
    path.write_text(path.read_text().replace('"single_science"', '"blob"'))
    with pytest.raises(RuleError, match="unknown shape 'blob'"):
        load_rule(path)


def test_not_sql_is_refused(tmp_path):
    path = write_rule(tmp_path)
    path.write_text(path.read_text().replace("FROM items", "FROM items WHERE ((("))
    with pytest.raises(RuleError, match="not DuckDB SQL"):
        load_rule(path)


def test_one_query_only(tmp_path):
    path = write_rule(tmp_path)
    path.write_text(path.read_text() + ";\nSELECT 1")
    with pytest.raises(RuleError, match="exactly one SELECT"):
        load_rule(path)


def test_header_must_name_the_rule(tmp_path):
    path = write_rule(tmp_path)
    path.write_text(path.read_text().replace('-- name = "Asn_Test"\n', ""))
    with pytest.raises(RuleError, match="header lacks name"):
        load_rule(path)


def test_extra_rules_override_builtins_by_name(tmp_path):
    path = write_rule(tmp_path)
    path.write_text(path.read_text().replace("Asn_Test", "Asn_Lv2Image"))
    rules = load_rules([path])
    (rule,) = [r for r in rules if r.name == "Asn_Lv2Image"]
    assert rule.path == path


def test_a_rule_file_edited_between_loads_is_read_again(tmp_path):
    path = write_rule(tmp_path)
    assert load_rule(path).name == "Asn_Test"
    path.write_text(path.read_text().replace("Asn_Test", "Asn_Edited"))
    assert load_rule(path).name == "Asn_Edited"
    path.write_text(path.read_text().replace("FROM items", "FROM pool"))
    with pytest.raises(RuleError, match="reads pool"):
        load_rule(path)


def test_ignore_default_needs_rules():
    with pytest.raises(RuleError, match="--ignore-default needs"):
        load_rules([], include_default=False)


def test_missing_rule_path(tmp_path):
    with pytest.raises(RuleError, match="no such rule file or folder"):
        load_rules([tmp_path / "nope.sql"])


def test_each_macro_is_defined_once():
    """A second CREATE OR REPLACE of a macro silently wins over the first."""
    import re
    from collections import Counter

    from asnsql.sqlfiles import sql_root

    names = Counter()
    for path in (sql_root() / "views").glob("*.sql"):
        names.update(re.findall(r"CREATE OR REPLACE MACRO (\w+)", path.read_text()))
    assert [name for name, count in names.items() if count > 1] == []


def test_base_columns_are_the_columns_the_stage_bases_define():
    """engine.BASE_COLUMNS (names a rule reads that are no pool keywords) is what the
    files under sql/bases/ define: a base column added there must be added here."""
    import sqlglot
    from sqlglot import exp

    from asnsql import engine
    from asnsql.sqlfiles import base_files, base_sql

    defined = set()
    for name in base_files():
        tree = sqlglot.parse_one(base_sql(name), dialect="duckdb")
        defined |= {alias.alias for alias in tree.find_all(exp.Alias)}
    assert defined == engine.BASE_COLUMNS
