"""Read an association pool into a DuckDB table.

The table has a first column ``_row`` (0-based pool row order) and then every
pool column under its lowercase name, all VARCHAR, every value stripped and
lowercased, empty cells as NULL: the pool as jwst's ``AssociationPool.read``
sees it, except that jwst fills empty cells with the string ``'null'``.

Limits, checked while the file is read (streaming, so nothing huge is held):
a line is at most :data:`MAX_LINE_BYTES` bytes and a pool has at most
:data:`MAX_COLUMNS` columns. Paths are literal (no globbing). ``"-"`` reads
standard input; it and any other file that is not a regular file (a pipe,
``/dev/stdin``) are read once into a private copy and then read as a file;
their ``asn_pool`` name is ``stdin`` (``"-"``, ``/dev/stdin``) or the file's
base name.
"""

from __future__ import annotations

import atexit
import csv
import functools
import itertools
import math
import numbers
import os
import re
import stat
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterable, NamedTuple

import duckdb

from asnsql.errors import PoolError

__all__ = ["MAX_COLUMNS", "MAX_LINE_BYTES", "PoolInfo", "load_pool", "require_columns"]

#: Longest line (header, comment or data) a text pool may have, in bytes.
MAX_LINE_BYTES = 1 << 20
#: Most columns a pool may have.
MAX_COLUMNS = 10_000
# The header is split by the csv module, as astropy (other formats, orphans'
# re-read) splits every line: let a field be as long as a line may be.
if csv.field_size_limit() < MAX_LINE_BYTES:
    csv.field_size_limit(MAX_LINE_BYTES)
_BOM = b"\xef\xbb\xbf"

# Python's str.strip() set (ASCII part); DuckDB's trim() alone strips spaces only.
# Bound as $ws: a constant expression here would be planned once per column.
_WHITESPACE = "$ws"
_WS = {"ws": " \t\n\x0b\x0c\r"}
_RAW = "__asnsql_raw_pool"
_STAGING = "__asnsql_staging"
_SHIFTS = "__asnsql_shifts"


def quote_ident(name: str) -> str:
    """A column name from a pool's header as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def quote_text(value: str) -> str:
    """A column name as a SQL string literal (in generated SQL; values are bound)."""
    return "'" + value.replace("'", "''") + "'"


@dataclass(frozen=True)
class PoolInfo:
    """What was loaded: file basename (or "in-memory"), path, columns, rows."""

    name: str
    path: str | None
    columns: tuple[str, ...]
    n_rows: int


def load_pool(
    con: duckdb.DuckDBPyConnection,
    source,
    *,
    delimiter: str = "|",
    fmt: str = "ascii",
    table: str = "pool",
) -> PoolInfo:
    """Load a pool into table ``table`` of ``con``, replacing any old one.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection that receives the table.
    source : str, os.PathLike, astropy Table, pandas DataFrame, pyarrow Table or DuckDBPyRelation
        A pool file, or a table already in memory.
    delimiter : str
        Field separator of text pools.
    fmt : str
        astropy format name. ``"ascii"`` (jwst's default) is parsed by DuckDB
        without importing astropy; other formats are read with astropy.
    table : str
        Name of the table to create.

    Returns
    -------
    PoolInfo
        Name, path, lowercase column names in file order, number of rows.

    Raises
    ------
    PoolError
        The file is missing or unreadable, or is not a table with unique,
        non-empty column names. The message is one line naming the file.
    """
    if not isinstance(source, (str, os.PathLike)):
        names, columns = _object_columns(source)
        return _load_objects(con, names, columns, table, "in-memory", None)
    path = os.fspath(source)
    readable = _readable(path)
    if fmt == "ascii":
        return _load_text(con, path, readable, delimiter, table)
    names, columns = _object_columns(_astropy_read(readable, fmt, delimiter, shown=path))
    return _load_objects(con, names, columns, table, pool_name(path), readable)


def pool_name(path: str) -> str:
    """The ``asn_pool`` name of a pool file: its base name; ``stdin`` for ``-``."""
    return "stdin" if path == "-" else os.path.basename(path)


_copies: dict[str, str] = {}   # non-regular source -> its private copy, for this process


def _readable(path: str) -> str:
    """A regular file holding the pool's bytes: ``path`` itself, or a copy of a stream.

    Standard input (``-``), pipes and devices are read once, line by line
    with the line limit (so ``/dev/zero`` stops at once), into a temporary
    file kept until the process ends (``--save-orphans`` reads the pool again).

    Raises
    ------
    PoolError
        Missing, a directory, unreadable, or a line over the limit.
    """
    if path in _copies:
        return _copies[path]
    if path != "-":
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise PoolError(f"{path}: no such file") from None
        except OSError as exc:
            raise PoolError(f"{path}: cannot read ({exc.strerror})") from None
        if stat.S_ISDIR(mode):
            raise PoolError(f"{path}: is a directory, not a pool file")
        if stat.S_ISREG(mode):
            return path
    fd, copy = tempfile.mkstemp(prefix="asnsql-stdin-", suffix=".csv")
    atexit.register(_remove, copy)
    try:
        with os.fdopen(fd, "wb") as dst, _open_stream(path) as src:
            number = 0
            while True:
                line = src.readline(MAX_LINE_BYTES + 1)
                if not line:
                    break
                number += 1
                _check_length(path, number, line)
                dst.write(line)
    except OSError as exc:
        _remove(copy)
        raise PoolError(f"{path}: cannot read ({exc.strerror})") from None
    except BaseException:
        _remove(copy)
        raise
    _copies[path] = copy
    return copy


@contextmanager
def _open_stream(path):
    if path == "-":
        yield sys.stdin.buffer
    else:
        with open(path, "rb") as stream:
            yield stream


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _check_length(shown: str, number: int, line: bytes) -> None:
    """Refuse a line (read with ``readline(MAX_LINE_BYTES + 1)``) over the limit."""
    if len(line) > MAX_LINE_BYTES:
        _too_long(shown, number)


def _too_long(shown: str, number: int) -> None:
    raise PoolError(f"{shown}: line {number}: longer than {MAX_LINE_BYTES} bytes, "
                    "the most a pool line may have")


def _literal(path: str, folder: str, key) -> str:
    """A path DuckDB's reader takes literally: a symbolic link in ``folder`` to ``path``.

    DuckDB expands ``*``, ``?``, ``[`` (and ``~``) in file names; our own
    link's name has none of them.
    """
    link = os.path.join(folder, f"literal-{key}.csv")
    os.symlink(os.path.abspath(path), link)
    return link


_QUADRATIC_PASSES = ("common_subexpressions", "compressed_materialization")


@contextmanager
def _linear_planning(con):
    """Plan one wide statement without two DuckDB passes that grow with its width squared.

    The common-subexpression pass grows with the square of a SELECT's
    expressions (one per column normalised here: 3,000 columns took 20 s
    instead of 1.5), compressed materialisation with the square of the
    columns a sort carries (6,000 columns: 5 s instead of 0.7).
    """
    before = con.execute("SELECT current_setting('disabled_optimizers')").fetchone()[0]
    turned_off = [name for name in before.split(",") if name.strip()]
    con.execute("SET disabled_optimizers = $o",
                {"o": ",".join(turned_off + list(_QUADRATIC_PASSES))})
    try:
        yield
    finally:
        con.execute("SET disabled_optimizers = $o", {"o": before})


def require_columns(info: PoolInfo, needed: Iterable[str]) -> None:
    """Fail unless the pool has every column in ``needed``.

    Parameters
    ----------
    info : PoolInfo
        The loaded pool.
    needed : iterable of str
        Lowercase column names the rules read.

    Raises
    ------
    PoolError
        Naming every missing column, sorted.
    """
    missing = sorted(set(needed) - set(info.columns))
    if missing:
        listed = ", ".join(f"'{name}'" for name in missing)
        raise PoolError(f"{info.name}: pool has no column(s) {listed} needed by the rules")


def _load_text(con, path, readable, delimiter, table):
    """DuckDB parses the data lines; Python only finds the header and comments."""
    if len(delimiter) != 1:
        raise PoolError(f"{path}: delimiter must be one character, not {delimiter!r}")
    scan = _scan(readable, delimiter, shown=path)
    header_no, names, skipped = scan.header_no, scan.names, scan.skipped
    read = _read_raw(_RAW, "$path", len(names), skip=True)
    con.execute(f"DROP TABLE IF EXISTS {_RAW}")
    with tempfile.TemporaryDirectory(prefix="asnsql-") as tmp:
        if skipped or scan.mixed:
            # Comment or blank lines among the data: give DuckDB only the data
            # lines, and report errors at the file's own line numbers.
            # DuckDB also rejects a file mixing LF and CRLF; astropy does not.
            csv_path = _data_file(scan.data, os.path.join(tmp, "data.csv"))
            skip, line_of = 0, functools.partial(_original_line, header_no, skipped)
        else:
            csv_path, skip, line_of = _literal(readable, tmp, "pool"), header_no, lambda n: n
        try:
            con.execute(read, {"path": csv_path, "delim": delimiter, "skip": skip})
        except duckdb.Error as exc:
            raise PoolError(f"{path}: {_csv_problem(str(exc), line_of)}") from None
    try:
        # A new table's rowid is its insertion order, which is file order.
        raw = [f"c{i}" for i in range(len(names))]
        return _finish(con, names, raw, "rowid", table, pool_name(path), readable)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_RAW}")


# A line astropy skips (blank, or a comment: '#' after leading whitespace),
# with the LF before it: a literal first, which the search finds quickly.
_SKIPPED_LINE = re.compile(rb"\n[ \t\r\x0b\x0c]*(?:#[^\n]*)?(?=\n|\Z)")
# A line end, and the carriage returns before it.
_LINE_END = re.compile(rb"\r*\n")
# How much of a file is read at a time.
_BLOCK_BYTES = 64 << 20


def _read_text(path, shown) -> bytes:
    """The bytes of ``path``, refused at its first line longer than
    :data:`MAX_LINE_BYTES` (its LF counted) as soon as that is read: a file
    without line ends stops at once."""
    parts, number, carry = [], 1, b""  # number: the line `carry` starts
    with open(path, "rb") as f:
        while block := f.read(_BLOCK_BYTES):
            text = carry + block
            cut = text.rfind(b"\n") + 1
            if cut:
                whole = text[:cut]
                ended = whole.split(b"\n")[:-1]  # the lines ended here, without LF
                if max(map(len, ended)) >= MAX_LINE_BYTES:
                    first = next(i for i, line in enumerate(ended) if len(line) >= MAX_LINE_BYTES)
                    _too_long(shown, number + first)
                number += len(ended)
                parts.append(whole)
            carry = text[cut:]
            if len(carry) > MAX_LINE_BYTES:
                _too_long(shown, number)
    if carry:
        parts.append(carry)
    return b"".join(parts) if len(parts) != 1 else parts[0]


class _Scan(NamedTuple):
    """What :func:`_scan` finds in a text pool."""

    header_no: int       # the header's line number (1-based)
    names: list          # its column names, checked
    skipped: set         # the numbers of the lines after it that astropy skips
    mixed: bool          # whether LF and CRLF line ends mix
    data: bytes          # the data lines, each ended by one LF (see below)
    plain: bool          # one row a line: no quote, no carriage return inside a line
    count: int           # the data lines, when plain (else 0)


def _scan(path, delimiter, shown=None) -> _Scan:
    """Header, the later lines astropy skips, mixed LF/CRLF, and the data lines.

    Refuses a line over :data:`MAX_LINE_BYTES`. A UTF-8 byte-order mark
    before the first line is ignored, whether that line is a comment or the
    header. ``shown`` is the name errors give (default ``path``). The file is
    worked on whole, never line by line in Python (bar the lines before the
    header).

    The data lines are what DuckDB is given of a pool with skipped lines or
    mixed line ends among its rows: every line after the header but those
    skipped, the carriage returns before each line end gone (and those at
    the end of a last line without one), each ended by one LF. ``plain``
    where that is also one row a line, read as it is (no quote anywhere, no
    carriage return but in CRLF ends, a delimiter that is neither).
    """
    shown = path if shown is None else shown
    try:
        content = _read_text(path, shown)
    except OSError as exc:
        raise PoolError(f"{shown}: cannot read ({exc.strerror})") from None
    header_no, header, number, at = 0, None, 0, 0
    while at < len(content):  # to the header: few lines
        end = content.find(b"\n", at)
        end = len(content) if end < 0 else end + 1
        line = content[at:end]
        number += 1
        if number == 1 and line.startswith(_BOM):
            line = line[len(_BOM):]
        at = end
        stripped = line.strip()
        if stripped and not stripped.startswith(b"#"):
            header_no, header = number, line
            break
    skipped, kept, body = set(), [], at  # kept: the spans of data lines
    # From the header's LF (none when it ends the file).
    for match in _SKIPPED_LINE.finditer(content, max(at - 1, 0)) if at < len(content) else ():
        start = match.start() + 1  # the skipped line's
        if start == len(content):
            break  # after the last LF: no line
        number += content.count(b"\n", body, start) + 1
        skipped.add(number)
        kept.append((body, start))
        body = min(match.end() + 1, len(content))
    kept.append((body, len(content)))
    crlf = content.count(b"\r\n") if b"\r" in content else 0
    mixed = 0 < crlf < content.count(b"\n")
    if header is None:
        problem = "no header line, only comments or blank lines" if number else "empty file"
        raise PoolError(f"{shown}: {problem}")
    try:
        text = header.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise PoolError(f"{shown}: line {header_no}: binary or non-UTF-8 data, not a table")
    # Split as astropy's basic reader does: csv module, spaces before quotes skipped.
    try:
        fields = next(csv.reader([text.strip()], delimiter=delimiter, skipinitialspace=True))
    except csv.Error as exc:
        raise PoolError(f"{shown}: line {header_no}: not a valid header ({exc})") from None
    names = _check_names(shown, fields)
    # The data lines, once the header is known to be a table's.
    data = b"".join(content[a:b] for a, b in kept) if skipped else content[at:]
    plain = delimiter not in '"\r\n' and b'"' not in data
    if b"\r" in data:
        plain = plain and b"\r" not in data.replace(b"\r\n", b"")
        data = _LINE_END.sub(b"\n", data)
    if data and not data.endswith(b"\n"):
        data = data.rstrip(b"\r") + b"\n"
    return _Scan(header_no, names, skipped, mixed, data, plain, data.count(b"\n") if plain else 0)


def _check_names(where, names):
    """Lowercase and strip column names; refuse empty, duplicate or reserved ones."""
    lowered = [str(name).strip().lower() for name in names]
    if not lowered:
        raise PoolError(f"{where}: table has no columns")
    if len(lowered) > MAX_COLUMNS:
        raise PoolError(f"{where}: {len(lowered)} columns, more than the {MAX_COLUMNS} "
                        "a pool may have")
    seen = set()
    for position, name in enumerate(lowered, start=1):
        if not name:
            raise PoolError(f"{where}: column {position} has an empty name")
        if name == "_row":
            raise PoolError(f"{where}: column name '_row' is reserved")
        if name in seen:
            raise PoolError(f"{where}: duplicate column name '{name}' (case-insensitive)")
        seen.add(name)
    return lowered


def _csv_problem(message, line_of):
    """Turn a DuckDB CSV error into one line, numbered against the pool file."""
    found = re.search(r"CSV Error on Line: (\d+)", message)
    where = f"line {line_of(int(found.group(1)))}: " if found else ""
    counts = re.search(r"Expected Number of Columns: (\d+) Found: (\d+)", message)
    if counts:
        return f"{where}expected {counts.group(1)} fields, found {counts.group(2)}"
    if "not utf-8" in message.lower():
        return f"{where}not UTF-8 text, not a table"
    # With a line number, DuckDB states the problem last before its
    # "Possible ..." advice (the original line above it may span lines).
    lines = message.split("\nPossible")[0].strip().splitlines()
    problem = lines[-1] if found else lines[0].split("Error: ", 1)[-1]
    return f"{where}not a valid table ({problem.strip().rstrip('.')})"


def _looks_like_xml(path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(64).lstrip(_BOM).lstrip().startswith(b"<")
    except OSError:
        return False


def _refuse_entities(path, shown) -> None:
    """Refuse an XML file whose prolog declares entities or names an external DTD.

    Nothing in it is resolved: the prolog (everything before the root
    element) is only searched, a line at a time within the line limit.
    """
    with open(path, "rb") as f:
        number = 0
        while True:
            line = f.readline(MAX_LINE_BYTES + 1)
            if not line:
                return
            number += 1
            _check_length(shown, number, line)
            if b"<!ENTITY" in line or re.search(rb"<!DOCTYPE[^>\[]*\b(SYSTEM|PUBLIC)\b", line):
                raise PoolError(f"{shown}: line {number}: declares XML entities or an external "
                                "DTD, which asnsql does not read")
            if re.search(rb"<(?![?!])", line):  # the root element: the prolog is over
                return


def _astropy_read(path, fmt, delimiter, shown=None):
    """Read another format with astropy, as jwst does; imported only here."""
    shown = path if shown is None else shown
    if "votable" in fmt or _looks_like_xml(path):
        _refuse_entities(path, shown)
    from astropy.io.ascii import convert_numpy
    from astropy.table import Table

    kwargs = {}
    if fmt.startswith("ascii") or fmt == "csv":
        # jwst's str converter keeps cells as written ('1.50' stays '1.50').
        kwargs["converters"] = {"*": [convert_numpy(str)]}
        if "ecsv" not in fmt:  # ECSV fixes its own delimiter
            kwargs["delimiter"] = delimiter
    try:
        return Table.read(path, format=fmt, **kwargs)
    except Exception as exc:  # astropy raises many kinds; all mean "not readable"
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PoolError(f"{shown}: cannot read as {fmt!r}: {first}") from None


def _object_columns(source):
    """Column names and per-column Python values (missing as None) of a table."""
    # Judged by the module of any base class, so subclasses (jwst's
    # AssociationPool) count and pandas/pyarrow need not be importable.
    modules = {cls.__module__.split(".")[0] for cls in type(source).__mro__}
    if isinstance(source, duckdb.DuckDBPyRelation):
        names, rows = list(source.columns), source.fetchall()
        return names, [list(column) for column in zip(*rows)] or [[] for _ in names]
    if "pandas" in modules and hasattr(source, "iloc"):
        series = [source.iloc[:, i] for i in range(source.shape[1])]
        values = [[None if m else v for v, m in zip(s.tolist(), s.isna())] for s in series]
        return list(source.columns), values
    if "pyarrow" in modules and hasattr(source, "column_names"):
        return list(source.column_names), [c.to_pylist() for c in source.columns]
    if "astropy" in modules and hasattr(source, "colnames"):
        import numpy as np

        values = []
        for column in source.columns.values():
            mask = np.ma.getmaskarray(column).reshape(len(column), -1).all(axis=1)
            values.append([None if m else v for v, m in zip(column, mask)])
        return list(source.colnames), values
    raise PoolError(f"in-memory: cannot read a pool from a {type(source).__name__}")


def _cell(value):
    """One value as text, or None when missing (None, NaN)."""
    if value is None or (isinstance(value, numbers.Real) and math.isnan(value)):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _load_objects(con, names, columns, table, name, path):
    """Load in-memory columns through a registered dict of NumPy arrays."""
    import numpy as np

    names = _check_names(path or name, names)
    n = len(columns[0]) if columns else 0
    data = {"_row": np.arange(n, dtype=np.int64)}
    for i, values in enumerate(columns):
        data[f"c{i}"] = np.empty(n, dtype=object)
        data[f"c{i}"][:] = [_cell(v) for v in values]
    # Any statement ends a result the caller left half-fetched, which would
    # otherwise make register() fail in DuckDB 2.
    con.execute(f"DROP TABLE IF EXISTS {_RAW}")
    con.register(_RAW, data)
    try:
        return _finish(con, names, list(data)[1:], "_row", table, name, path)
    finally:
        con.unregister(_RAW)


def _finish(con, names, raw_columns, order, table, name, path):
    """Create ``table`` from the raw relation, normalising every cell."""
    cells = "".join(
        f",\n    NULLIF(lower(trim(CAST({raw} AS VARCHAR), {_WHITESPACE})), '') AS {quote_ident(col)}"
        for raw, col in zip(raw_columns, names)
    )
    # CREATE ... AS answers with its row count; fetched in full because DuckDB 2
    # refuses register() while a result is only partly fetched.
    with _linear_planning(con):
        n_rows = con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(table)} AS\n"
            f"SELECT CAST(row_number() OVER (ORDER BY {order}) - 1 AS BIGINT) AS _row{cells}\n"
            f"FROM {_RAW}\nORDER BY {order}",
            _WS if raw_columns else None,
        ).fetchall()[0][0]
    return PoolInfo(name=name, path=path, columns=tuple(names), n_rows=n_rows)


# --- Many pools in one table -------------------------------------------------

POOLS_TABLE = "pools"


def load_pools(
    con: duckdb.DuckDBPyConnection,
    sources: list,
    *,
    names: list[str] | None = None,
    delimiter: str = "|",
    fmt: str = "ascii",
    table: str = "pool",
) -> tuple[list[PoolInfo | None], dict[int, str]]:
    """Load any number of pools into one table, keyed by pool.

    ``table`` gets ``_pool`` (the source's index in ``sources``), ``_row``
    (pool-major: every row of pool 0, then of pool 1, ..., each pool in file
    order) and the union of the pools' columns; table ``pools`` gets one row
    per pool read (``_pool``, ``asn_pool``, ``path``, ``n_rows``, ``first_row``,
    ``columns``: the pool's own columns, which decide what an absent column
    writes).

    Text pools sharing a header are parsed by one DuckDB scan; a pool whose
    scan fails is read alone, so that only it fails.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
    sources : list
        Pool files or in-memory tables, as :func:`load_pool` takes.
    names : list of str, optional
        The ``asn_pool`` name of each source; by default a file's base name
        (``"in-memory"`` for a table).
    delimiter, fmt : str
        As :func:`load_pool`.
    table : str
        Name of the combined table.

    Returns
    -------
    infos : list of PoolInfo or None
        One per source; None where it could not be read.
    errors : dict
        Source index -> one-line error message.
    """
    infos: list[PoolInfo | None] = [None] * len(sources)
    errors: dict[int, str] = {}
    parts: list[_Part] = []
    one_pool_scans: list = []  # parts that are one pool's rows, as scanned
    groups: dict[tuple, list] = {}  # (column names, lines to skip) -> [(index, path)]
    joined: dict[tuple, _Joined] = {}  # column names -> one-row-a-line pools' data lines
    scratch = tempfile.TemporaryDirectory(prefix="asnsql-")
    try:
        for index, source in enumerate(sources):
            text_file = isinstance(source, (str, os.PathLike)) and fmt == "ascii"
            try:
                if not text_file:
                    part = f"__asnsql_part{index}"
                    infos[index] = load_pool(con, source, delimiter=delimiter, fmt=fmt,
                                             table=part)
                    parts.append(_Part(_part_select(part, index, "_row", infos[index].columns), {}))
                    continue
                shown = os.fspath(source)
                readable = _check_path(shown, delimiter)
                scan = _scan(readable, delimiter, shown=shown)
                columns = tuple(scan.names)
                infos[index] = PoolInfo(pool_name(shown), readable, columns, 0)
                if scan.plain and scan.data:
                    # One row a line: into one file with the other such pools
                    # of this header, which DuckDB reads in one go.
                    same_header = joined.get(columns)
                    if same_header is None:
                        same_header = joined[columns] = _Joined(
                            os.path.join(scratch.name, f"joined{len(joined)}.csv"), delimiter)
                    same_header.add(index, scan.data, scan.count)
                    continue
                if scan.skipped or scan.mixed:
                    path, skip = _data_file(scan.data, os.path.join(scratch.name, f"{index}.csv")), 0
                else:
                    path, skip = _literal(readable, scratch.name, index), scan.header_no
                groups.setdefault((columns, skip), []).append((index, path))
            except PoolError as err:
                errors[index] = str(err)
                infos[index] = None
        alone: list[tuple[tuple, int]] = []  # (columns, index) of pools read alone
        for number, (columns, same_header) in enumerate(joined.items()):
            same_header.close()
            try:
                part = _scan_joined(con, f"__asnsql_joined{number}", same_header, columns,
                                    delimiter)
            except duckdb.Error:
                part = None
            if part is None:
                alone.extend((columns, index) for index in same_header.indexes)
            else:
                if len(same_header.indexes) == 1:
                    one_pool_scans.append(part)
                parts.append(part)
        for number, ((columns, skip), members) in enumerate(groups.items()):
            try:
                parts.append(_scan_group(con, f"__asnsql_group{number}", [p for _, p in members],
                                         [i for i, _ in members], columns, skip, delimiter))
            except duckdb.Error:
                alone.extend((columns, index) for index, _ in members)
        # A scan that failed: each of its pools alone, so that only the bad ones fail.
        for columns, index in alone:
            single = f"__asnsql_part{index}"
            try:
                load_pool(con, sources[index], delimiter=delimiter, table=single)
            except PoolError as err:
                errors[index] = str(err)
                infos[index] = None
                continue
            parts.append(_Part(_part_select(single, index, "_row", columns), {}))
        _combine(con, table, parts, infos, names,
                 in_order=len(parts) == 1 and parts[0] in one_pool_scans)
    finally:
        for same_header in joined.values():
            same_header.close()
        scratch.cleanup()
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '\\_\\_asnsql\\_%' ESCAPE '\\'"
        ).fetchall():
            con.execute(f'DROP TABLE IF EXISTS "{name}"')
    counts = dict(con.execute(f"SELECT _pool, n_rows FROM {POOLS_TABLE}").fetchall())
    infos = [None if info is None else PoolInfo(info.name, info.path, info.columns,
                                                counts.get(index, 0))
             for index, info in enumerate(infos)]
    return infos, errors


def _check_path(path: str, delimiter: str) -> str:
    """The regular file to read for pool ``path`` (see :func:`_readable`)."""
    if len(delimiter) != 1:
        raise PoolError(f"{path}: delimiter must be one character, not {delimiter!r}")
    return _readable(path)


def _data_file(data: bytes, out: str) -> str:
    """Write a pool's data lines (:attr:`_Scan.data`) to ``out``, for DuckDB."""
    with open(out, "wb") as dst:
        dst.write(data)
    return out


def _original_line(header_no: int, skipped: set, number: int) -> int:
    """The line of a file that data line ``number`` (1-based, of :attr:`_Scan.data`) was."""
    line = header_no + number
    for gone in sorted(skipped):
        if gone <= line:
            line += 1
    return line


def _normalised(columns, trim: str = "all", lower: bool = True) -> str:
    """Cells ``r.c0, r.c1, ...`` as the pool's named columns: stripped, lowercased, '' as NULL.

    ``trim``: ``"all"`` strips every kind of white space; ``"spaces"`` only
    spaces, which is the same where no cell can hold a tab, vertical tab,
    form feed or line end, and trims only the cells that start or end with
    a space (DuckDB's trim copies every cell it is given, which takes twice
    as long); ``"none"`` takes every cell as stripped already. Without
    ``lower`` the cells are taken as lowercase already.
    """
    def cell(i):
        if trim == "all":
            return f"trim(r.c{i}, {_WHITESPACE})"
        if trim == "spaces":
            return (f"CASE WHEN starts_with(r.c{i}, ' ') OR ends_with(r.c{i}, ' ') "
                    f"THEN trim(r.c{i}) ELSE r.c{i} END")
        return f"r.c{i}"

    case = (lambda text: f"lower({text})") if lower else (lambda text: text)
    return "".join(
        f", NULLIF({case(cell(i))}, '') AS {quote_ident(name)}" for i, name in enumerate(columns)
    )


def _read_raw(table: str, paths: str, n_columns: int, *, skip: bool = False,
              filename: bool = False) -> str:
    """The statement reading CSV ``paths`` (a parameter) into ``table``: columns c0, c1, ...

    No sniffing, and strict: a malformed row is an error, never guessed at.
    Not DuckDB's comment option: it also cuts a line at any '#' inside it
    (pool_005 has '#TODO' cells), where astropy skips whole '#' lines only.
    Parameters: ``$delim``, and ``$skip`` with ``skip``.
    """
    struct = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(n_columns))
    return (
        f"CREATE TEMP TABLE {table} AS SELECT * FROM read_csv({paths}, delim = $delim, "
        f"header = false, {'skip = $skip, ' if skip else ''}columns = {{{struct}}}, "
        "auto_detect = false, quote = '\"', escape = '\"', strict_mode = true, "
        f"null_padding = false{', filename = true' if filename else ''})"
    )


def _scan_group(con, part, paths, indexes, columns, skip, delimiter) -> _Part:
    """One DuckDB scan over pool files of one header, as a part."""
    con.execute(_read_raw(f"{part}_raw", "$paths", len(columns), skip=True, filename=True),
                {"paths": paths, "delim": delimiter, "skip": skip})
    # A new table's rowid is its insertion order: file by file, each in file order.
    return _Part(
        f"SELECT m._pool, r.rowid AS _seq{_normalised(columns)} FROM {part}_raw AS r "
        f"JOIN (SELECT unnest(${part}_paths) AS filename, unnest(${part}_pools) AS _pool) AS m "
        "USING (filename)",
        {f"{part}_paths": paths, f"{part}_pools": indexes, **_WS},
    )


class _Joined:
    """The data lines of pools that share a header, one file, and each pool's row count."""

    def __init__(self, path: str, delimiter: str):
        self.path = path
        self.file = open(path, "wb")
        # What a cell next to a space looks like, in lines with no quotes.
        delim = delimiter.encode()
        self._padding = (b" " + delim, delim + b" ", b"\n ", b" \n")
        self.indexes: list[int] = []
        self.counts: list[int] = []
        self.odd_space = False   # a tab, vertical tab or form feed somewhere
        self.padded = False      # a cell that starts or ends with a space
        self.not_ascii = False   # a line the scan must lowercase (else it is lowercased here)

    def add(self, index: int, lines: bytes, count: int) -> None:
        # ASCII text lowercases here as DuckDB's lower() would (A-Z only,
        # which no quote or delimiter is), at once: 35 MB in 0.02 s.
        if lines.isascii():
            lines = lines.lower()
        else:
            self.not_ascii = True
        self.file.write(lines)
        self.odd_space = self.odd_space or any(c in lines for c in (b"\t", b"\x0b", b"\x0c"))
        self.padded = self.padded or lines.startswith(b" ") or any(
            p in lines for p in self._padding)
        self.indexes.append(index)
        self.counts.append(count)

    def close(self) -> None:
        if not self.file.closed:
            self.file.close()


def _scan_joined(con, part, joined: _Joined, columns, delimiter) -> _Part | None:
    """One DuckDB scan of a :class:`_Joined` file, as a part.

    Row ``k`` of the file belongs to the pool whose run of rows holds it;
    a scan that does not give back exactly the rows counted gives None.
    """
    con.execute(_read_raw(f"{part}_raw", "$path", len(columns)),
                {"path": joined.path, "delim": delimiter})
    (rows,) = con.execute(f"SELECT count(*) FROM {part}_raw").fetchone()
    if rows != sum(joined.counts):
        con.execute(f"DROP TABLE {part}_raw")
        return None
    trim = "all" if joined.odd_space else "spaces" if joined.padded else "none"
    cells = _normalised(columns, trim, lower=joined.not_ascii)
    spaces = _WS if joined.odd_space else {}
    starts = [0, *itertools.accumulate(joined.counts[:-1])]
    spans = tuple(zip(joined.indexes, starts, joined.counts))
    if len(joined.indexes) == 1:
        # One pool: a scan in its rows' order, which _combine keeps as it is.
        return _Part(f"SELECT CAST({int(joined.indexes[0])} AS INTEGER) AS _pool, r.rowid AS _seq"
                     f"{cells} FROM {part}_raw AS r", spaces, spans)
    return _Part(
        f"SELECT m._pool, r.rowid AS _seq{cells} "
        f"FROM {part}_raw AS r ASOF JOIN (SELECT unnest(${part}_starts) AS start, "
        f"unnest(${part}_pools) AS _pool) AS m ON r.rowid >= m.start",
        {f"{part}_starts": starts, f"{part}_pools": joined.indexes, **spaces},
        spans,
    )


def _part_select(part, index, order, columns):
    """A SELECT of one part's rows: pool index, row order, its named (normalised) columns."""
    cells = "".join(f", {quote_ident(c)}" for c in columns)
    pool = "_pool" if index is None else f"{index} AS _pool"
    return f"SELECT {pool}, {order} AS _seq{cells} FROM {part}"


def _union(infos) -> list[str]:
    """Every column of the pools, in the order they first appear."""
    union: dict[str, None] = {}
    for info in infos:
        for column in info.columns if info else ():
            union.setdefault(column)
    return list(union)


# More parts than this go through a staging table one by one: one UNION of
# thousands of SELECTs (pools read alone) costs DuckDB more to plan than to run.
_UNION_PARTS = 64


class _Part(NamedTuple):
    """One scan's rows: a SELECT of ``_pool``, ``_seq`` and the named
    (normalised) columns, its parameters, and, where the reader counted
    them, each pool's ``(pool, first _seq, rows)``: its run of ``_seq``."""

    select: str
    params: dict
    spans: tuple | None = None


def _pools_in_runs(con, parts: list[_Part], rows: str | None = None) -> bool:
    """Whether each pool's rows are one run of consecutive ``_seq``.

    The runs of ``parts`` that carry their spans are taken as they are;
    the others are counted in their rows (or in ``rows``, a SELECT of all
    the pools' rows, when given).
    If all are runs, leaves ``_SHIFTS``: per pool, what turns its ``_seq``
    into its rows' numbers in the combined table (pools in order, each's
    rows in ``_seq`` order, from 0). A scan's ``_seq`` is its table's
    rowid, so no two of a pool's rows share one: a run is as long as the pool.
    """
    known = [span for part in parts if part.spans is not None for span in part.spans]
    params: dict = {}
    if rows is None:
        uncounted = [part for part in parts if part.spans is None]
        rows = " UNION ALL ".join(f"SELECT _pool, _seq FROM ({part.select})" for part in uncounted)
        for part in uncounted:
            params.update(part.params)
    counted = (" UNION ALL SELECT _pool, count(*), min(_seq), max(_seq)"
               f" FROM ({rows}) GROUP BY _pool") if rows else ""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {_SHIFTS} AS SELECT _pool,"
        " CAST(sum(n) OVER (ORDER BY _pool) - n - first_seq AS BIGINT) AS shift,"
        " last_seq - first_seq + 1 = n AS in_run"
        " FROM (SELECT CAST(unnest($__pools) AS INTEGER) AS _pool, CAST(unnest($__n) AS BIGINT) AS n,"
        " CAST(unnest($__first) AS BIGINT) AS first_seq, CAST(unnest($__last) AS BIGINT) AS last_seq"
        f"{counted})",
        {**params, "__pools": [pool for pool, _, _ in known],
         "__n": [n for _, _, n in known], "__first": [first for _, first, _ in known],
         "__last": [first + n - 1 for _, first, n in known]},
    )
    (in_runs,) = con.execute(f"SELECT coalesce(bool_and(in_run), true) FROM {_SHIFTS}").fetchone()
    return in_runs


def _combine(con, table, parts, infos, names, *, in_order: bool = False) -> None:
    """``table`` from the parts (pool-major rows, union columns), and the ``pools`` table.

    Each part is a SELECT of one scan's rows, normalised as it is read, so
    the rows are copied once, into their place in ``table``. ``in_order``:
    the one part is one pool's rows as scanned, ``_seq`` 0, 1, ... in scan
    order, so that it needs no numbering and no sort.
    """
    # The columns of the pools read (one that failed after all brings none).
    union = _union(infos)
    cells = "".join(f", {quote_ident(c)}" for c in union)
    params: dict = {}
    counted_in = None  # each part's runs, on its own
    if not parts:
        nulls = "".join(f", NULL::VARCHAR AS {quote_ident(c)}" for c in union)
        rows = f"SELECT NULL::INTEGER AS _pool, NULL::BIGINT AS _seq{nulls} WHERE false"
    elif len(parts) <= _UNION_PARTS:
        rows = " UNION ALL BY NAME ".join(f"({part.select})" for part in parts)
        for part in parts:
            params.update(part.params)
    else:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {_STAGING} (_pool INTEGER, _seq BIGINT"
            + "".join(f", {quote_ident(c)} VARCHAR" for c in union) + ")"
        )
        with _linear_planning(con):
            for part in parts:
                con.execute(f"INSERT INTO {_STAGING} BY NAME {part.select}", part.params or None)
        rows = f"FROM {_STAGING}"
        if any(part.spans is None for part in parts):
            counted_in = rows  # all of them, in one go
    shifts = ""
    if in_order:
        # A projection of a scan keeps the scan's order, unless told not to.
        (kept,) = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
        rows, numbered = parts[0].select, "CAST(_seq AS BIGINT) AS _row"
        order = "" if kept else " ORDER BY _seq"
    elif _pools_in_runs(con, parts if counted_in is None else [], counted_in):
        # Each pool's rows are one run of _seq: shifted to where the pool
        # starts, _seq numbers the rows pool by pool, with no window (which
        # sorts every column it carries).
        numbered, order = "_seq + s.shift AS _row", " ORDER BY _row"
        shifts = f" JOIN {_SHIFTS} AS s USING (_pool)"
    else:
        numbered = "CAST(row_number() OVER (ORDER BY _pool, _seq) - 1 AS BIGINT) AS _row"
        order = " ORDER BY _pool, _seq"
    with _linear_planning(con):
        con.execute(
            f"CREATE OR REPLACE TABLE {quote_ident(table)} AS SELECT {numbered}, "
            f"_pool{cells} FROM ({rows}){shifts}{order}",
            params or None,
        )
    con.execute(f"DROP TABLE IF EXISTS {_STAGING}")
    con.execute(f"DROP TABLE IF EXISTS {_SHIFTS}")
    loaded = [i for i, info in enumerate(infos) if info is not None]
    con.execute(
        f"CREATE OR REPLACE TABLE {POOLS_TABLE} AS "
        "SELECT l._pool, l.asn_pool, l.path, l.columns, "
        "coalesce(c.n_rows, 0) AS n_rows, c.first_row "
        "FROM (SELECT unnest($ids) AS _pool, unnest($names) AS asn_pool, unnest($paths) AS path, "
        "unnest($columns) AS columns) AS l "
        f"LEFT JOIN (SELECT _pool, count(*) AS n_rows, min(_row) AS first_row FROM {quote_ident(table)} "
        "GROUP BY _pool) AS c USING (_pool) ORDER BY l._pool",
        {
            "ids": loaded,
            "names": [names[i] if names else infos[i].name for i in loaded],
            "paths": [infos[i].path for i in loaded],
            "columns": [list(infos[i].columns) for i in loaded],
        },
    )


def load_batch(con, batch, *, pool_column: str, row_column: str,
               table: str = "pool") -> tuple[list[PoolInfo | None], dict[int, str]]:
    """Load an Arrow batch of many pools' rows (see :mod:`asnsql.core`) as :func:`load_pools` does.

    Pools are numbered in the order of their names. A column null on every
    row of a pool is absent from that pool. Also leaves ``batch_pools``
    (``_pool``, ``asn_pool``) for every pool of the batch, failed or not.
    """
    names = list(batch.column_names)
    for needed in (pool_column, row_column):
        if needed not in names:
            raise PoolError(f"batch: no {needed!r} column")
    cells = [n for n in names if n not in (pool_column, row_column)]
    lowered = _check_names("batch", cells)
    con.register("__asnsql_batch", batch)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE batch_pools AS SELECT"
            " CAST(row_number() OVER (ORDER BY asn_pool) - 1 AS INTEGER) AS _pool, asn_pool"
            f" FROM (SELECT DISTINCT CAST({quote_ident(pool_column)} AS VARCHAR) AS asn_pool"
            " FROM __asnsql_batch)"
        )
        normalised = "".join(
            f", NULLIF(lower(trim(CAST(b.{quote_ident(raw)} AS VARCHAR), {_WHITESPACE})), '')"
            f" AS {quote_ident(col)}"
            for raw, col in zip(cells, lowered)
        )
        with _linear_planning(con):
            con.execute(
                f"CREATE OR REPLACE TABLE {quote_ident(table)} AS SELECT"
                f" CAST(row_number() OVER (ORDER BY k._pool, b.{quote_ident(row_column)}) - 1"
                f" AS BIGINT) AS _row, k._pool{normalised}"
                " FROM __asnsql_batch AS b"
                f" JOIN batch_pools AS k ON k.asn_pool = CAST(b.{quote_ident(pool_column)} AS VARCHAR)"
                f" ORDER BY k._pool, b.{quote_ident(row_column)}",
                _WS if cells else None,
            )
        present = ", ".join(
            f"CASE WHEN count(b.{quote_ident(raw)}) > 0 THEN {quote_text(col)} END"
            for raw, col in zip(cells, lowered)
        )
        con.execute(
            f"CREATE OR REPLACE TABLE {POOLS_TABLE} AS SELECT k._pool, k.asn_pool,"
            " NULL::VARCHAR AS path,"
            f" list_filter([{present}], lambda c: c IS NOT NULL) AS columns,"
            " c.n_rows, c.first_row"
            " FROM __asnsql_batch AS b"
            f" JOIN batch_pools AS k ON k.asn_pool = CAST(b.{quote_ident(pool_column)} AS VARCHAR)"
            f" JOIN (SELECT _pool, count(*) AS n_rows, min(_row) AS first_row FROM {quote_ident(table)}"
            " GROUP BY _pool) AS c ON c._pool = k._pool"
            " GROUP BY k._pool, k.asn_pool, c.n_rows, c.first_row ORDER BY k._pool"
        )
    finally:
        con.unregister("__asnsql_batch")
    infos = [PoolInfo(name, None, tuple(columns), n_rows) for name, columns, n_rows in
             con.execute(f"SELECT asn_pool, columns, n_rows FROM {POOLS_TABLE} ORDER BY _pool")
             .fetchall()]
    return infos, {}


