"""The Python API: any table source, the caller's connection, the views left behind."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

import asnsql

POOL = Path(__file__).resolve().parent.parent / "fixtures" / "pools" / "pool_002_image_miri.csv"


@pytest.fixture(scope="module")
def from_path():
    return asnsql.generate(POOL)


def test_path_source(from_path):
    assert len(from_path.documents) == 9
    assert from_path.pool.name == "pool_002_image_miri.csv"


def test_astropy_table_source(from_path):
    from astropy.table import Table

    table = Table.read(POOL, format="ascii", delimiter="|")
    result = asnsql.generate(table)
    assert result.pool.name == "in-memory"
    assert _comparable(result) == _comparable(from_path)


def test_pandas_source(from_path):
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(POOL, sep="|", comment="#", dtype=str, keep_default_na=False)
    assert _comparable(asnsql.generate(frame)) == _comparable(from_path)


def _without_comments(tmp_path):
    """The pool as a plain CSV file, for readers that cannot skip comment lines."""
    lines = [ln for ln in POOL.read_text().splitlines() if not ln.startswith("#")]
    path = tmp_path / "pool.csv"
    path.write_text("\n".join(lines))
    return path


def test_arrow_source(from_path, tmp_path):
    pa_csv = pytest.importorskip("pyarrow.csv")
    table = pa_csv.read_csv(
        _without_comments(tmp_path),
        parse_options=pa_csv.ParseOptions(delimiter="|"),
        convert_options=pa_csv.ConvertOptions(strings_can_be_null=False,
                                              column_types={}, auto_dict_encode=False),
    )
    assert _comparable(asnsql.generate(table)) == _comparable(from_path)


def test_relation_on_callers_connection(from_path, tmp_path):
    con = duckdb.connect()
    rel = con.read_csv(str(_without_comments(tmp_path)), sep="|", header=True, all_varchar=True)
    result = asnsql.generate(rel, con=con)
    assert result.con is con
    assert _comparable(result) == _comparable(from_path)
    # The views stay on the caller's connection.
    assert con.execute("SELECT count(*) FROM candidates").fetchone() == (8,)
    assert con.execute("SELECT DISTINCT registry FROM runs ORDER BY 1").fetchall() == [
        ("candidate",), ("discover",)
    ]


def test_write(tmp_path, from_path):
    written = from_path.write(tmp_path)
    assert sorted(p.name for p in written) == sorted(from_path.documents)
    assert not list(tmp_path.glob(".asnsql-*"))


def _comparable(result):
    docs = {}
    for name, doc in result.documents.items():
        doc = dict(doc)
        doc.pop("asn_pool")
        docs[name] = doc
    return docs


def test_views_are_left_on_the_connection(from_path):
    from asnsql.explore import DOCUMENTED_VIEWS

    counts = {
        view: from_path.con.execute(f"SELECT count(*) FROM {view}").fetchone()[0]
        for view in DOCUMENTED_VIEWS
    }
    assert counts == {
        "pool": 8, "candidates": 8, "candidate_order": 1, "runs": 2, "exposures": 8,
        "items": 16, "associations": 9, "members": 16, "orphans": 0,
    }


def test_result_tables_match_the_documents(from_path):
    rows = from_path.con.execute(
        "SELECT file_name, asn_rule, product_name, n_members FROM associations ORDER BY 1"
    ).fetchall()
    assert [r[0] for r in rows] == sorted(from_path.documents)
    for name, rule, product, n in rows:
        doc = from_path.documents[name]
        assert (rule, product, n) == (
            doc["asn_rule"], doc["products"][0]["name"], len(doc["products"][0]["members"])
        )


def test_query_binds_parameters(from_path):
    from asnsql.explore import query

    result = query(from_path.con, "SELECT count(*) AS n FROM members WHERE exptype = $t",
                   {"t": "science"})
    assert result.columns == ("n",) and result.rows == [(16,)]


def test_explain_from_python(from_path):
    from asnsql.explain import explain

    (found,) = explain(from_path, "jw_00002_uncal.fits")
    assert found.row == 1 and found.candidates == [("o001", "observation")]
    assert {j.asn_rule for j in found.joined} == {"candidate_Asn_Lv2Image", "candidate_Asn_Lv3Image"}
    # Every rule gets an outcome: the exposure joined it in no pass, or in
    # some passes only (Asn_Lv2Image and Asn_Lv3Image: not in discovery).
    assert {o.rule for o in found.outcomes} == {r.name for r in from_path.rules}


def test_generate_builds_its_tables_in_the_connections_current_schema():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA mine")
    con.execute("USE mine")
    result = asnsql.generate(POOL, con=con)
    schemas = {s for (s,) in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    assert schemas == {"mine"}
    assert con.execute("SELECT count(*) FROM associations").fetchone()[0] == len(result.texts) == 9


def test_generating_again_on_a_connection_replaces_what_it_held(from_path):
    con = duckdb.connect()
    # Names the engine uses, held as the other kind (a table where it
    # leaves a view, a view where it leaves a table).
    con.execute("CREATE TABLE rule_members AS SELECT 1 AS stale")
    con.execute("CREATE VIEW documents AS SELECT 1 AS stale")
    first = asnsql.generate(POOL, con=con)
    second = asnsql.generate(POOL, con=con)
    assert first.texts == second.texts == from_path.texts
    for name in ("rule_members", "documents"):
        assert "stale" not in [c[0] for c in con.execute(f"DESCRIBE {name}").fetchall()]


def test_unsandboxed_rules_replace_an_earlier_rule_members_table(from_path):
    # Before the shapes ran side by side, rule_members was a table.
    con = duckdb.connect()
    con.execute("CREATE TABLE rule_members AS SELECT 1 AS stale")
    con.execute("CREATE TABLE rule_members_9 AS SELECT 1 AS stale")
    assert asnsql.generate(POOL, con=con, sandbox=False).texts == from_path.texts
    assert asnsql.generate(POOL, con=con, sandbox=False).texts == from_path.texts
    assert "stale" not in [c[0] for c in con.execute("DESCRIBE rule_members").fetchall()]
    assert not con.execute("SELECT count(*) FROM duckdb_tables()"
                           " WHERE table_name = 'rule_members_9'").fetchone()[0]


def test_the_connection_is_made_once_however_many_threads_ask():
    result = asnsql.generate(POOL)
    assert len(result.texts) == 9
    with ThreadPoolExecutor(4) as threads:
        cons = list(threads.map(lambda _: result.con, range(8)))
    assert all(con is cons[0] for con in cons)
    assert cons[0].execute("SELECT count(*) FROM associations").fetchone() == (9,)
    assert cons[0].execute("SELECT count(*) FROM members").fetchone() == (16,)
