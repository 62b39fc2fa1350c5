"""Tests for asnsql.pool: reading association pools into DuckDB."""

import math
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from asnsql.errors import PoolError
from asnsql.pool import PoolInfo, load_pool, load_pools, require_columns

REPO = Path(__file__).resolve().parents[1]
FIXTURE_POOLS = sorted((REPO / "fixtures" / "pools").glob("*.csv"))

POOL = """\
# A pool with the things real pools have.
# Comment | with | delimiters and a "quote
FileName|EXP_TYPE| Obs_Num |Notes
  JW_001_Uncal.fits | MIR_IMAGE |1|#TODO
jw_002_uncal.fits|MIR_IMAGE||NULL
# a comment between rows
   # an indented comment

jw_003_uncal.fits|  |3|   \t
"""


@pytest.fixture
def con():
    return duckdb.connect()


def write(tmp_path, text, name="pool.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def rows(con, table="pool"):
    return con.execute(f'SELECT * FROM "{table}" ORDER BY _row').fetchall()


def test_text_pool(con, tmp_path):
    path = write(tmp_path, POOL)
    info = load_pool(con, str(path))
    assert info == PoolInfo("pool.csv", str(path), ("filename", "exp_type", "obs_num", "notes"), 3)
    assert rows(con) == [
        (0, "jw_001_uncal.fits", "mir_image", "1", "#todo"),  # '#' inside a cell is data
        (1, "jw_002_uncal.fits", "mir_image", None, "null"),  # only empty cells are NULL
        (2, "jw_003_uncal.fits", None, "3", None),
    ]


def test_column_types(con, tmp_path):
    load_pool(con, write(tmp_path, "A|B\n1|2\n"))
    types = con.execute("SELECT column_name, column_type FROM (DESCRIBE pool)").fetchall()
    assert types == [("_row", "BIGINT"), ("a", "VARCHAR"), ("b", "VARCHAR")]


def test_direct_read_and_filtered_read_agree(con, tmp_path):
    # Comments only above the header take DuckDB's direct path; comments
    # among the rows take the filtered one. Both must give the same table.
    data = "".join(f"R{i}|x{i}\n" for i in range(5000))
    load_pool(con, write(tmp_path, "# c\nA|B\n" + data, "direct.csv"), table="direct")
    filtered = write(tmp_path, "A|B\n# c\n" + data + "# end\n", "filtered.csv")
    load_pool(con, filtered, table="filtered")
    assert rows(con, "direct") == rows(con, "filtered")
    assert rows(con, "direct")[4999] == (4999, "r4999", "x4999")


def test_table_name_path_and_replace(con, tmp_path):
    load_pool(con, write(tmp_path, "A\n1\n2\n"), table="my pool")
    info = load_pool(con, write(tmp_path, "A\n3\n"), table="my pool")
    assert info.n_rows == 1 and rows(con, "my pool") == [(0, "3")]


def test_header_only(con, tmp_path):
    info = load_pool(con, write(tmp_path, "# c\nA|B\n# trailing comment\n\n"))
    assert info.columns == ("a", "b") and info.n_rows == 0


def test_delimiter_and_quotes(con, tmp_path):
    path = write(tmp_path, 'a,b\n"x,y", "say ""hi"""\r\n"crlf",line\r\n')
    load_pool(con, path, delimiter=",")
    assert rows(con) == [(0, "x,y", 'say "hi"'), (1, "crlf", "line")]


def test_mixed_line_endings(con, tmp_path):
    load_pool(con, write(tmp_path, "a|b\r\nx|y\r\nLF|line\nCRLF|line\r\n"))
    assert rows(con) == [(0, "x", "y"), (1, "lf", "line"), (2, "crlf", "line")]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"# only\n\n# comments\n", "no header line"),
        (bytes(range(256)) * 4, "not a table"),
        (b"A|B\n1|\xff\n", "line 2: not UTF-8"),
        (b"A|B\n1|2\n# c\n3|4|5\n", "line 4: expected 2 fields, found 3"),
        (b"# c\nA|B|C\n1|2|3\n4|5\n", "line 4: expected 3 fields, found 2"),
        (b'A|B\n1|2\n"3|4\n5|6\n', "line 3: not a valid table"),
        (b"A|B|a\n1|2|3\n", "duplicate column name 'a'"),
        (b"A||C\n1|2|3\n", "column 2 has an empty name"),
        (b"A|_ROW\n1|2\n", "'_row' is reserved"),
    ],
    ids=["empty", "comments-only", "binary", "utf8", "long-row", "short-row",
         "open-quote", "duplicate", "empty-name", "reserved"],
)
def test_bad_files(con, tmp_path, content, problem):
    path = write(tmp_path, content)
    with pytest.raises(PoolError) as caught:
        load_pool(con, str(path))
    assert_one_line(caught.value, str(path), problem)


def test_missing_file_and_directory(con, tmp_path):
    for path, problem in [(tmp_path / "nope.csv", "no such file"), (tmp_path, "is a directory")]:
        with pytest.raises(PoolError) as caught:
            load_pool(con, path)
        assert_one_line(caught.value, str(path), problem)


def assert_one_line(error, where, problem):
    message = str(error)
    assert message.startswith(f"{where}: ") and problem in message, message
    assert "\n" not in message
    # Raised "from None" (or outside any except): no chained traceback.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


def test_no_astropy_on_the_text_path(tmp_path):
    path = write(tmp_path, POOL)
    code = (
        "import sys, duckdb\n"
        "from asnsql.pool import load_pool\n"
        f"load_pool(duckdb.connect(), {str(path)!r})\n"
        "print('astropy' in sys.modules)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


# Other formats go through astropy


def test_astropy_csv(con, tmp_path):
    load_pool(con, write(tmp_path, "Name,N\nA, 1.50\nb,\n"), fmt="csv", delimiter=",")
    assert rows(con) == [(0, "a", "1.50"), (1, "b", None)]


def test_astropy_fits(con, tmp_path):
    from astropy.table import Table

    path = tmp_path / "pool.fits"
    Table({"FileName": ["A.fits", "b.fits"], "X": [1.5, math.nan]}).write(path)
    info = load_pool(con, path, fmt="fits")
    assert (info.name, info.columns) == ("pool.fits", ("filename", "x"))
    assert rows(con) == [(0, "a.fits", "1.5"), (1, "b.fits", None)]


def test_astropy_unreadable(con, tmp_path):
    path = write(tmp_path, POOL)
    with pytest.raises(PoolError) as caught:
        load_pool(con, path, fmt="fits")
    assert_one_line(caught.value, str(path), "cannot read as 'fits'")


# In-memory tables

EXPECTED = [(0, "x", "1", None), (1, None, None, "by")]


def test_astropy_table(con):
    from astropy.table import MaskedColumn, Table

    masked = MaskedColumn([1, 2], mask=[False, True])
    table = Table({"A": [" X ", "  "], "B": masked, "C": [b"", b"BY"]})
    info = load_pool(con, table)
    assert info == PoolInfo("in-memory", None, ("a", "b", "c"), 2)
    assert rows(con) == EXPECTED


def test_pandas(con):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"A": [" X ", None], "B": [1.0, math.nan], "C": [math.nan, "BY"]})
    load_pool(con, frame)
    assert rows(con) == [(0, "x", "1.0", None), (1, None, None, "by")]


def test_pyarrow(con):
    pa = pytest.importorskip("pyarrow")
    load_pool(con, pa.table({"A": [" X ", None], "B": [1, None], "C": [None, b"BY"]}))
    assert rows(con) == EXPECTED


@pytest.mark.parametrize("same_connection", [True, False])
def test_duckdb_relation(con, same_connection):
    source = con if same_connection else duckdb.connect()
    relation = source.sql(
        "SELECT * FROM (VALUES (' X ', 1, NULL), (NULL, NULL, 'BY')) AS t(\"A\", b, c)"
    )
    assert load_pool(con, relation).columns == ("a", "b", "c")
    assert rows(con) == EXPECTED


def test_bad_objects(con):
    from astropy.table import Table

    for source, problem in [(Table(), "table has no columns"),
                            ([1, 2], "cannot read a pool from a list"),
                            (con.sql("SELECT 1 AS a, 2 AS \"A \""), "duplicate column name 'a'")]:
        with pytest.raises(PoolError) as caught:
            load_pool(con, source)
        assert_one_line(caught.value, "in-memory", problem)


# require_columns


def test_require_columns():
    info = PoolInfo("p.csv", "p.csv", ("a", "b"), 0)
    require_columns(info, ["b", "a"])
    with pytest.raises(PoolError) as caught:
        require_columns(info, ["z", "a", "c"])
    assert str(caught.value) == "p.csv: pool has no column(s) 'c', 'z' needed by the rules"


# The conformance pools


def data_lines(path):
    lines = [x.strip() for x in path.read_text().splitlines()]
    return sum(1 for x in lines if x and not x.startswith("#")) - 1  # less the header


@pytest.mark.parametrize("path", [pytest.param(p, id=p.stem) for p in FIXTURE_POOLS])
def test_fixture_pools(con, path):
    info = load_pool(con, path)
    assert info.name == path.name
    assert info.n_rows == data_lines(path) > 0
    assert con.execute("SELECT count(*) FROM pool WHERE filename IS NULL").fetchall() == [(0,)]


# Pools of one header, each as a batch reads it with the others: lines of
# one row each go into one joined file; a quote, a carriage return inside
# a line, or a bad row sends a pool back to a read of its own.
SAME_HEADER = {
    "plain.csv": "FileName|EXP_TYPE| Obs_Num |Notes\njw_a|MIR_IMAGE|1|x\nJW_B|nrc_image|2|\n",
    "comments.csv": POOL,                       # comments among rows, a tab-padded cell
    "crlf.csv": "FileName|EXP_TYPE| Obs_Num |Notes\r\njw_c|MIR_IMAGE|3|y\r\n",
    "no_end.csv": "# c\nFileName|EXP_TYPE| Obs_Num |Notes\njw_d|MIR_IMAGE|4|z",
    "quoted.csv": 'FileName|EXP_TYPE| Obs_Num |Notes\njw_e|"MIR|IMAGE"|5|"two\nlines"\n',
    "inner_cr.csv": "FileName|EXP_TYPE| Obs_Num |Notes\njw_f|MIR\rIMAGE|6|w\n",
    "empty.csv": "FileName|EXP_TYPE| Obs_Num |Notes\n",
}


@pytest.mark.parametrize("bad", [False, True], ids=["good", "one-bad"])
def test_pools_read_together_as_each_alone(tmp_path, bad):
    pools = dict(SAME_HEADER)
    if bad:
        # It fails the joined read: every pool of the header is read alone.
        pools["bad.csv"] = "FileName|EXP_TYPE| Obs_Num |Notes\njw_g|MIR_IMAGE|7|v|extra\n"
    paths = [str(write(tmp_path, text, name)) for name, text in pools.items()]
    together = duckdb.connect()
    infos, errors = load_pools(together, paths)
    failed_alone, expected_pools = {}, []
    for index, path in enumerate(paths):
        alone = duckdb.connect()
        try:
            info = load_pool(alone, path)
        except PoolError as err:
            failed_alone[index] = str(err)
            continue
        assert infos[index] == info
        mine = together.execute(
            "SELECT * EXCLUDE (_pool) REPLACE (_row - (SELECT first_row FROM pools WHERE _pool = $i)"
            " AS _row) FROM pool WHERE _pool = $i ORDER BY _row", {"i": index}).fetchall()
        assert mine == rows(alone), Path(path).name
        expected_pools += [index] * info.n_rows
    assert errors == failed_alone and all(infos[i] is None for i in errors)
    assert (str(tmp_path / "bad.csv") in [paths[i] for i in errors]) == bad
    assert paths.index(str(tmp_path / "quoted.csv")) not in errors
    # Rows are pool-major, in file order.
    assert [r[0] for r in together.execute("SELECT _pool FROM pool ORDER BY _row").fetchall()] \
        == expected_pools


def test_many_headers_read_together_as_each_alone(tmp_path):
    # More scans than one statement unites (pool._UNION_PARTS) go through a
    # staging table: the same table either way.
    from asnsql import pool as pool_module

    count = pool_module._UNION_PARTS + 6
    paths = [str(write(tmp_path, f"FILENAME|Col{i}\n F{i} |X\n g{i}|\n", f"p{i}.csv"))
             for i in range(count)]
    together = duckdb.connect()
    infos, errors = load_pools(together, paths)
    assert not errors and [info.n_rows for info in infos] == [2] * count
    got = together.execute("SELECT * FROM pool ORDER BY _row").fetchall()
    assert got[:2] == [(0, 0, "f0", "x") + (None,) * (count - 1),
                       (1, 0, "g0", None) + (None,) * (count - 1)]
    assert got[-1] == (2 * count - 1, count - 1, f"g{count - 1}") + (None,) * count


@pytest.mark.parametrize("keep_order", [True, False])
def test_a_pool_alone_is_stored_in_file_order_whatever_insertion_order_is_set_to(keep_order):
    # One pool read alone skips numbering and sorting (a scan keeps its order),
    # unless the connection lets DuckDB reorder: then it sorts.
    path = REPO / "fixtures" / "pools" / "mega_pool.csv"
    header, *data = [line for line in path.read_text().splitlines()
                     if line.strip() and not line.lstrip().startswith("#")]
    at = [c.strip().lower() for c in header.split("|")].index("filename")
    names = [line.split("|")[at].strip().lower() for line in data]
    con = duckdb.connect()
    con.execute(f"SET preserve_insertion_order = {keep_order}")
    (info,), errors = load_pools(con, [path])
    assert not errors and info.n_rows == len(names)
    rows = con.execute("SELECT _row, filename FROM pool ORDER BY rowid").fetchall()
    assert rows == list(enumerate(names))
    # The same rows as in a batch, where pools are numbered and sorted.
    con.execute("CREATE TABLE alone AS FROM pool")
    load_pools(con, [path, FIXTURE_POOLS[0]])
    columns = ", ".join(f'"{c}"' for (c, *_) in con.execute("DESCRIBE alone").fetchall())
    assert con.execute(f"SELECT {columns} FROM pool WHERE _pool = 0 EXCEPT ALL"
                       " SELECT * FROM alone").fetchall() == []
