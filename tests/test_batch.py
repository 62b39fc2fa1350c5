"""asnsql.collect: many pools generated on one connection, queried together."""

from pathlib import Path

import duckdb
import pytest

import asnsql
from asnsql.batch import CollectError

POOLS = Path(__file__).resolve().parent.parent / "fixtures" / "pools"
MIRI = POOLS / "pool_002_image_miri.csv"
NIRCAM = POOLS / "pool_003_image_nircam.csv"
NIRISS = POOLS / "pool_005_spec_niriss.csv"


@pytest.fixture(scope="module")
def three():
    return asnsql.collect([MIRI, NIRCAM, NIRISS])


def test_one_query_across_pools(three):
    rows = three.execute(
        "SELECT asn_pool, asn_type, count(*) FROM associations GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert rows == [
        ("pool_002_image_miri.csv", "image2", 8),
        ("pool_002_image_miri.csv", "image3", 1),
        ("pool_003_image_nircam.csv", "image2", 18),
        ("pool_003_image_nircam.csv", "image3", 2),
        ("pool_005_spec_niriss.csv", "image2", 2),
        ("pool_005_spec_niriss.csv", "tso-spec2", 2),
        ("pool_005_spec_niriss.csv", "tso3", 1),
    ]


def test_pools_table(three):
    rows = three.execute(
        "SELECT asn_pool, path, n_rows, n_associations, n_orphans FROM pools ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("pool_002_image_miri.csv", str(MIRI), 8, 9, 0),
        ("pool_003_image_nircam.csv", str(NIRCAM), 18, 20, 0),
        ("pool_005_spec_niriss.csv", str(NIRISS), 4, 5, 0),
    ]


def test_tables_match_single_generations(three):
    single = asnsql.generate(NIRCAM)
    mine = three.execute(
        "SELECT * EXCLUDE (asn_pool) FROM members WHERE asn_pool = 'pool_003_image_nircam.csv'"
        " ORDER BY file_name, position"
    ).fetchall()
    assert mine == single.con.execute(
        "SELECT * EXCLUDE (asn_pool) FROM members ORDER BY file_name, position").fetchall()
    assert three.execute("SELECT count(*) FROM candidates").fetchone()[0] > 0


def test_documents_name_the_same_pool(three):
    names = {r[0] for r in three.execute("SELECT DISTINCT asn_pool FROM associations").fetchall()}
    assert names == {asnsql.generate(p).pool.name for p in (MIRI, NIRCAM, NIRISS)}


def test_only_collected_tables_are_left(three):
    tables = three.execute(
        "SELECT table_name, temporary FROM duckdb_tables() ORDER BY 1").fetchall()
    assert tables == [(t, False) for t in
                      ("associations", "candidates", "members", "orphans", "pools")]
    assert three.execute("SELECT current_database()").fetchone() == ("memory",)
    assert "asnsql_scratch" not in {r[0] for r in three.execute(
        "SELECT database_name FROM duckdb_databases()").fetchall()}


def test_collecting_again_replaces_a_pools_rows(tmp_path):
    con = duckdb.connect(str(tmp_path / "survey.duckdb"))
    asnsql.collect([MIRI], con=con)
    asnsql.collect([MIRI, NIRISS], con=con, discover=True)
    assert con.execute("SELECT asn_pool, n_associations FROM pools ORDER BY 1").fetchall() == [
        ("pool_002_image_miri.csv", 1), ("pool_005_spec_niriss.csv", 0),
    ]
    assert con.execute("SELECT asn_pool, file_name FROM associations").fetchall() == [
        ("pool_002_image_miri.csv", "jw99009-a3001_image3_00001_asn.json"),
    ]
    con.close()
    again = duckdb.connect(str(tmp_path / "survey.duckdb"), read_only=True)
    assert again.execute("SELECT count(*) FROM pools").fetchone() == (2,)


def test_tables_grow_the_columns_later_pools_bring():
    # pool_006 has msametfl, which pool_002 lacks; pool_002 has tsovisit, which pool_006 lacks.
    nirspec = POOLS / "pool_006_spec_nirspec.csv"
    con = asnsql.collect([MIRI, nirspec], tables=["pool"])
    rows = con.execute(
        "SELECT asn_pool, count(*), count(msametfl), count(tsovisit) FROM pool GROUP BY ALL ORDER BY 1"
    ).fetchall()
    assert rows == [("pool_002_image_miri.csv", 8, 0, 8), ("pool_006_spec_nirspec.csv", 32, 32, 0)]


def test_in_memory_sources_are_named_by_the_caller():
    from astropy.table import Table

    table = Table.read(MIRI, format="ascii", delimiter="|")
    con = asnsql.collect({"miri": table})
    assert con.execute("SELECT asn_pool, n_associations FROM pools").fetchall() == [("miri", 9)]


def test_writes_each_pools_files_into_its_own_folder(tmp_path):
    asnsql.collect([MIRI, NIRISS], path=tmp_path)
    assert len(list((tmp_path / "pool_002_image_miri").glob("*_asn.json"))) == 9
    assert len(list((tmp_path / "pool_005_spec_niriss").glob("*_asn.json"))) == 5


def test_errors():
    with pytest.raises(CollectError, match="not a view of a generation"):
        asnsql.collect([MIRI], tables=["rule_members"])
    with pytest.raises(CollectError, match="two pools are named pool_002_image_miri.csv"):
        asnsql.collect([MIRI, str(MIRI)])
    with pytest.raises(CollectError, match="needs a name"):
        asnsql.collect([object()])
    con = duckdb.connect()
    con.execute("CREATE TABLE associations (x INTEGER)")
    with pytest.raises(CollectError, match="table associations already exists without an asn_pool"):
        asnsql.collect([MIRI], con=con)


def test_a_bad_pool_keeps_the_earlier_ones(tmp_path):
    con = duckdb.connect()
    with pytest.raises(asnsql.errors.PoolError):
        asnsql.collect([MIRI, tmp_path / "missing.csv"], con=con)
    assert con.execute("SELECT asn_pool FROM pools").fetchall() == [("pool_002_image_miri.csv",)]
    assert con.execute("SELECT current_database()").fetchone() == ("memory",)
