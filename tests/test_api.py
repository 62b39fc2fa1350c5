"""The Python API: any table source, the caller's connection, the views left behind."""

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
