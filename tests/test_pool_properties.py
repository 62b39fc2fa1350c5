"""Property tests (hypothesis): any text is a table or one clean PoolError, never a traceback.

Deterministic (``derandomize=True``) and small, so CI runs the same
examples every time and never flakes on time.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from unittest import mock

import duckdb
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from asnsql import api, engine, pool  # noqa: E402
from asnsql.errors import PoolError  # noqa: E402
from asnsql.pool import load_pool, load_pools  # noqa: E402

SETTINGS = settings(max_examples=40, deadline=10_000, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Text that looks like pools: delimiters, quotes, comments, line ends, a BOM, NUL.
POOLISH = st.lists(st.sampled_from(
    list("|||\"\"'#  \t\n\n\r,aAbB01_()[]") + ["\ufeff", "\x00", "\xe9", "FILENAME", "\r\n"]),
    max_size=120).map("".join)


def _one_line(err: PoolError) -> None:
    message = str(err)
    assert message and "\n" not in message


def _read(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.csv"
        path.write_bytes(data)
        con = duckdb.connect()
        try:
            info = load_pool(con, path)
        except PoolError as err:
            _one_line(err)
            assert "p.csv" in str(err)
        else:
            (rows,) = con.execute("SELECT count(*) FROM pool").fetchone()
            assert rows == info.n_rows
        infos, errors = load_pools(duckdb.connect(), [path])
        assert (infos[0] is None) == (0 in errors)
        for message in errors.values():
            assert "\n" not in message


@SETTINGS
@given(POOLISH)
def test_any_pool_text_is_a_table_or_a_pool_error(text):
    _read(text.encode("utf-8"))


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_are_a_table_or_a_pool_error(data):
    _read(data)


CELLISH = st.one_of(
    st.lists(st.sampled_from(list("[](),' \t+-0123456789oc") + ["'o001'", "'observation'"]),
             max_size=40).map("".join),
    st.text(max_size=40),
    st.integers().map(str),
    st.lists(st.tuples(st.text(max_size=6), st.text(max_size=12)), max_size=3).map(
        lambda pairs: "[" + ", ".join(f"({a!r}, {b!r})" for a, b in pairs) + "]"),
)


@SETTINGS
@given(st.lists(CELLISH, min_size=1, max_size=4))
def test_any_candidate_cell_parses_without_error(cells):
    pa = pytest.importorskip("pyarrow")
    con = duckdb.connect()
    table = pa.table({"FILENAME": [f"jw_{i}_uncal.fits" for i in range(len(cells))],
                      "ASN_CANDIDATE": cells})
    (info,), errors = load_pools(con, [table])
    assert not errors
    engine.install_views(con)
    engine.build_exposures(con, info.columns, [])
    engine.build_candidates(con)
    for row, cand_id, cand_type in con.execute(
            "SELECT _row, cand_id, cand_type FROM candidates").fetchall():
        cell = cells[row].strip().lower()
        if cand_type == "unknown":          # a bare integer: its decimal text
            assert int(cell) == int(cand_id)
        else:                               # a quoted pair: both words are in the cell
            assert f"'{cand_id}'" in cell and f"'{cand_type}'" in cell


# Not empty: a column empty on every row comes back as 'n' (astropy's fill of
# a one-character column with 'null'; found by this test, not fixed here).
VALUE = st.text(alphabet=st.sampled_from(list("abcXYZ019 _-.'\"|#()[],")), max_size=12).filter(
    lambda v: v.strip())
MIRI = Path(__file__).resolve().parent.parent / "fixtures" / "pools" / "pool_002_image_miri.csv"


@settings(max_examples=6, deadline=60_000, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(VALUE, VALUE), min_size=1, max_size=4))
def test_saved_orphans_read_back_to_the_same_rows(values):
    pa = pytest.importorskip("pyarrow")
    n = len(values)
    table = pa.table({
        "FILENAME": [f"jw_{i:05d}_uncal.fits" for i in range(n)],
        "PROGRAM": ["99009"] * n, "EXP_TYPE": ["mir_image"] * n, "INSTRUME": ["miri"] * n,
        "TARGETID": ["1"] * n, "ASN_CANDIDATE": ["[('o001', 'observation')]"] * n,
        "FREE1": [a for a, _ in values], "FREE2": [b for _, b in values],
    })
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pool.csv"
        table_con = duckdb.connect()
        load_pool(table_con, table)
        # The pool as a file (astropy writes it, quoting what needs quotes).
        from astropy.table import Table
        Table(table.to_pydict()).write(path, format="ascii", delimiter="|")
        result = api.generate(str(path))
        out = Path(folder) / "orphaned.csv"
        result.write_orphans(out)
        con = duckdb.connect()
        load_pool(con, path, table="original")
        load_pool(con, out, table="orphans")
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'original'"
            " ORDER BY column_index").fetchall()]
        listed = ", ".join(f"coalesce(\"{c}\", 'null')" if c != "_row" else c for c in columns)
        original = con.execute(f"SELECT {listed} FROM original ORDER BY _row").fetchall()
        again = con.execute(f"SELECT {listed} FROM orphans ORDER BY _row").fetchall()
        assert again == original


# --- the scan of a text pool against its line-by-line specification ----------

def scan_by_lines(path: Path, delimiter: str = "|"):
    """What ``pool._scan`` finds, read as astropy reads: line by line (the
    specification the whole-file scan must meet)."""
    from asnsql.pool import MAX_LINE_BYTES

    header_no, header, skipped, number, endings, data = 0, None, set(), 0, set(), []
    plain = delimiter not in '"\r\n'
    with open(path, "rb") as f:
        while line := f.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) > MAX_LINE_BYTES:
                return f"line {number}: longer"
            if number == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            stripped = line.strip()
            endings.add(line.endswith(b"\r\n") if line.endswith(b"\n") else None)
            if stripped and not stripped.startswith(b"#"):
                if header is None:
                    header_no, header = number, line
                elif plain:
                    body = line[:-2] if line.endswith(b"\r\n") else line.rstrip(b"\n")
                    if b'"' in body or b"\r" in body:
                        plain, data = False, []
                    else:
                        data.append(body + b"\n")
            elif header is not None:
                skipped.add(number)
    if header is None:
        return "no header" if number else "empty"
    return header_no, skipped, len(endings - {None}) > 1, b"".join(data), len(data)


def scan_whole(path: Path, delimiter: str = "|"):
    from asnsql.pool import _scan

    try:
        scan = _scan(str(path), delimiter)
    except PoolError as err:
        message = str(err)
        if found := re.search(r"(line \d+): longer than", message):
            return f"{found.group(1)}: longer"
        for words, short in (("no header line", "no header"), ("empty file", "empty")):
            if words in message:
                return short
        return None  # a header that is no table's: not what the scans compare
    # The lines read as they are: those of a plain scan.
    lines = scan.data if scan.plain else b""
    return scan.header_no, scan.skipped, scan.mixed, lines, scan.count


LINES = st.lists(st.sampled_from(
    ["a|b", "1|2", "", "  ", "\t", "#c", "  # c", "\x0b", "x\r", '"q"|1', "# \"q\"", "\r",
     "\ufeffa|b", "é|ü"]), max_size=12)
ENDS = st.lists(st.sampled_from(["\n", "\r\n", "\n", "\r\r\n"]), min_size=12, max_size=12)


@SETTINGS
@given(LINES, ENDS, st.booleans())
def test_the_whole_file_scan_finds_what_reading_line_by_line_finds(lines, ends, last_end):
    text = "".join(line + end for line, end in zip(lines, ends))
    if lines and not last_end:
        text = text[: -len(ends[len(lines) - 1])]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.csv"
        path.write_bytes(text.encode("utf-8"))
        got = scan_whole(path)
        if got is not None:
            assert got == scan_by_lines(path)


@pytest.mark.parametrize("text", [
    b"", b"\xef\xbb\xbf", b"#only\n\n", b"a|b\n1|2", b"a|b\r\n1|2\r\n", b"a|b\n1|2\r\n3|4\n",
    b"\xef\xbb\xbf#c\na|b\n#d\n1|2\n\n  \n3|4", b"a|b\n1|\"x\"\n", b"a|b\n# \"x\"\n1|2\n",
    b"a|b\n1|2\r\r\n", b"a|b\n1\r2|3\n",
])
def test_the_whole_file_scan_on_edge_files(text, tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(text)
    assert scan_whole(path) == scan_by_lines(path)


@pytest.mark.parametrize("size", [39, 40, 41, 100])
@pytest.mark.parametrize("where", ["last, ended", "last, not ended", "inside"])
def test_the_whole_file_scan_refuses_a_line_too_long(size, where, tmp_path, monkeypatch):
    from asnsql import pool

    monkeypatch.setattr(pool, "_BLOCK_BYTES", 7)  # lines across blocks
    monkeypatch.setattr(pool, "MAX_LINE_BYTES", 40)
    long = b"x" * size + (b"" if where == "last, not ended" else b"\n")
    text = b"a|b\n" + b"1|2\n" * 3 + long + (b"3|4\n" if where == "inside" else b"")
    path = tmp_path / "p.csv"
    path.write_bytes(text)
    assert scan_whole(path) == scan_by_lines(path)
    # A line of 40 bytes and its LF is one byte too long.
    assert (scan_whole(path) == "line 5: longer") is (len(long) > 40)


# Cells as pools write them, and worse: any case, padding, non-ASCII letters
# whose lowercase DuckDB knows (É, Ü, Σ), tabs (which need the full trim).
CELLS = st.lists(st.sampled_from(
    ["", " ", "  ", "MIR_IMAGE", "mir_image", " Nrc ", "x ", " X", "É", " Ü x", "Σ", "a\tb",
     "\tA", "B\t", "jw_001_UNCAL.fits", "#TODO", "n/a"]), min_size=2, max_size=2)


def _expected(cell: str):
    """A cell as the pool table holds it: stripped of whitespace, lowercased, '' as NULL."""
    value = cell.strip(" \t\n\x0b\x0c\r").lower()
    return value or None


@SETTINGS
@given(st.lists(st.lists(st.tuples(st.sampled_from(["", " ", "  "]), CELLS),
                         min_size=1, max_size=4), min_size=1, max_size=3))
def test_pools_read_together_hold_each_cell_stripped_and_lowercased(pools):
    # Pools of one header go through one joined file (lowercased in Python
    # where ASCII, trimmed only where a cell is padded, at a line's start,
    # either side of a delimiter or at its end): the same cells as each pool
    # read alone, and as the rule the reference's pools follow.
    with tempfile.TemporaryDirectory() as folder:
        paths, expected = [], []
        for number, rows in enumerate(pools):
            # A name first, so that no line is a comment or blank.
            lines = [(f"{lead}F{number}_{i}{a}", b) for i, (lead, (a, b)) in enumerate(rows)]
            path = Path(folder) / f"p{number}.csv"
            path.write_text("FILENAME|Exp_Type\n" + "".join(f"{a}|{b}\n" for a, b in lines),
                            encoding="utf-8")
            paths.append(path)
            expected.append([(_expected(a), _expected(b)) for a, b in lines])
        together = duckdb.connect()
        infos, errors = load_pools(together, paths)
        assert not errors
        for number, path in enumerate(paths):
            got = together.execute(
                "SELECT filename, exp_type FROM pool WHERE _pool = $i ORDER BY _row",
                {"i": number}).fetchall()
            assert got == expected[number]
            alone = duckdb.connect()
            load_pool(alone, path)
            assert alone.execute("SELECT filename, exp_type FROM pool ORDER BY _row").fetchall() \
                == expected[number]


# How a pool of a batch is read: joined with the others of its header, in
# a group scan (a comment among its rows), alone (a quoted cell across two
# lines), or joined under a header of its own.
POOL_KINDS = st.lists(st.tuples(st.sampled_from(["joined", "comment", "quoted", "own header"]),
                                st.integers(1, 4)), min_size=1, max_size=6)


def _numbered_pools(kinds, folder: Path) -> tuple[list[Path], list[tuple]]:
    """Pool files of ``kinds``; and the (_row, _pool, filename) rows their table should hold."""
    paths, rows = [], []
    for number, (kind, n_rows) in enumerate(kinds):
        names = [f"p{number}_{i}" for i in range(n_rows)]
        header = "FILENAME|EXTRA\n" if kind == "own header" else "FILENAME|EXP_TYPE\n"
        body = [f"{name}|x\n" for name in names]
        if kind == "comment":
            body.insert(1, "# a comment\n")
        if kind == "quoted":
            body.append('q|"two\nlines"\n')
            names.append("q")
        paths.append(folder / f"p{number}.csv")
        paths[-1].write_text(header + "".join(body))
        rows += [(len(rows) + i, number, name) for i, name in enumerate(names)]
    return paths, rows


@SETTINGS
@given(POOL_KINDS)
def test_pools_read_together_are_numbered_pool_by_pool(kinds):
    # Row numbers run 0, 1, ... pool by pool, each pool's rows in file
    # order, whichever way each was read; the same with the rows numbered
    # by a window over (pool, row), as when a pool's rows were no one run.
    with tempfile.TemporaryDirectory() as folder:
        paths, expected = _numbered_pools(kinds, Path(folder))
        for in_runs in (pool._pools_in_runs, lambda *_: False):
            con = duckdb.connect()
            with mock.patch.object(pool, "_pools_in_runs", in_runs):
                infos, errors = load_pools(con, paths)
            assert not errors
            assert con.execute("SELECT _row, _pool, filename FROM pool ORDER BY _row").fetchall() \
                == expected
            firsts = {}
            for row, number, _ in expected:
                firsts.setdefault(number, row)
            assert con.execute("SELECT _pool, n_rows, first_row FROM pools ORDER BY _pool") \
                .fetchall() == [(number, n_rows + (kind == "quoted"), firsts[number])
                                for number, (kind, n_rows) in enumerate(kinds)]


@pytest.mark.parametrize(("seqs", "in_runs", "rows"), [
    ([(0, 3), (0, 4), (1, 0)], True, [0, 1, 2]),
    ([(1, 7), (0, 5), (1, 8), (0, 4)], True, [2, 1, 3, 0]),
    ([(0, 0), (0, 2), (1, 1)], False, None),   # a gap in pool 0's run
    ([], True, []),
])
def test_pools_in_runs_shifts_each_pool_to_where_it_starts(seqs, in_runs, rows):
    con = duckdb.connect()
    con.execute("CREATE TABLE s (_pool INTEGER, _seq BIGINT)")
    if seqs:
        con.executemany("INSERT INTO s VALUES (?, ?)", seqs)
    assert pool._pools_in_runs(con, [], "SELECT * FROM s") is in_runs
    if in_runs:
        assert _shifted(con) == rows
    # The same rows as parts: pool 0's with the run its reader counted
    # (taken as it is), pool 1's counted in its rows.
    zero, one = ([seq for p, seq in seqs if p == n] for n in (0, 1))
    parts = [pool._Part("SELECT * FROM s WHERE _pool = 0", {},
                        ((0, min(zero), len(zero)),) if zero else ()),
             pool._Part("SELECT * FROM s WHERE _pool = $p", {"p": 1})]
    assert pool._pools_in_runs(con, parts) is _runs_of(one)
    if in_runs:
        assert _shifted(con) == rows


def _shifted(con) -> list[int]:
    """The rows of ``s`` numbered by the shifts ``_pools_in_runs`` left, in ``s``'s order."""
    return [n for (n,) in con.execute(
        f"SELECT s._seq + h.shift FROM s JOIN {pool._SHIFTS} AS h USING (_pool) ORDER BY s.rowid"
    ).fetchall()]


def _runs_of(seqs) -> bool:
    return not seqs or max(seqs) - min(seqs) + 1 == len(seqs)


@pytest.mark.parametrize("rows", [
    ["  A|b", "c|d"],    # the first line's first cell
    ["a|b", " C|d"],     # a later line's first cell
    ["a |b", "c|d"],     # before a delimiter
    ["a|b", "c| D"],     # after one
    ["a|b  ", "c|d"],    # at a line's end
    ["a|  ", "c|d"],     # spaces only: NULL
])
def test_one_padded_cell_is_stripped_wherever_it_stands(rows, tmp_path):
    # Lines with no space next to a delimiter or a line's ends are taken
    # as they are; one padded cell anywhere has the pools' cells trimmed.
    paths = []
    for number, body in enumerate((rows, ["e|f"])):
        paths.append(tmp_path / f"p{number}.csv")
        paths[-1].write_text("X|Y\n" + "".join(f"{line}\n" for line in body))
    con = duckdb.connect()
    load_pools(con, paths)
    got = con.execute("SELECT x, y FROM pool WHERE _pool = 0 ORDER BY _row").fetchall()
    assert got == [tuple(_expected(cell) for cell in line.split("|")) for line in rows]


def data_by_lines(path: Path, header_no: int, skipped: set):
    """The data lines DuckDB is given for a pool with comments or mixed line
    ends, copied line by line (the specification of ``pool._Scan.data``),
    and the file's number of each."""
    data, numbers = [], []
    with open(path, "rb") as src:
        for number, line in enumerate(src, start=1):
            if number > header_no and number not in skipped:
                data.append(line.rstrip(b"\r\n") + b"\n")
                numbers.append(number)
    return b"".join(data), numbers


# Lines of pools with comments, blank lines, quotes across lines and stray
# carriage returns among their rows.
DATA_LINES = st.lists(st.sampled_from(
    ["a|b", "1|2", "", "  ", "\t", "#c", "  # c", "\x0b", "x\r", '"q|1', 'r"|2', "\r", "é|ü",
     "3|4\r\r"]), max_size=12)


@SETTINGS
@given(DATA_LINES, ENDS, st.booleans())
def test_the_data_lines_are_what_copying_line_by_line_gives(lines, ends, last_end):
    from asnsql.pool import _original_line, _scan

    text = "#top\n a|b \n" + "".join(line + end for line, end in zip(lines, ends))
    if lines and not last_end:
        text = text[: -len(ends[len(lines) - 1])]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.csv"
        path.write_bytes(text.encode("utf-8"))
        header_no, skipped = 2, scan_by_lines(path)[1]
        expected, numbers = data_by_lines(path, header_no, skipped)
        assert _scan(str(path), "|").data == expected
        assert [_original_line(header_no, skipped, k) for k in range(1, len(numbers) + 1)] \
            == numbers


@pytest.mark.parametrize("text", [b"a|b", b"a|b\n", b"a|b\r\n", b"#c\na|b\n#d", b"a|b\n1|2\r",
                                  b"a|b\n\n\n", b"a|b\n1|2\n#\n", b"a|b\r\n1|2\n\r\n3|4"])
def test_the_data_lines_of_edge_files(text, tmp_path):
    from asnsql.pool import _scan

    path = tmp_path / "p.csv"
    path.write_bytes(text)
    header_no, skipped = scan_by_lines(path)[:2]
    assert _scan(str(path), "|").data == data_by_lines(path, header_no, skipped)[0]
