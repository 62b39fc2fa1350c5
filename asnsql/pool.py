"""Read an association pool into a DuckDB table.

The table has a first column ``_row`` (0-based pool row order) and then every
pool column under its lowercase name, all VARCHAR, every value stripped and
lowercased, empty cells as NULL -- the way jwst's ``AssociationPool.read``
sees a pool, except that jwst fills empty cells with the string ``'null'``.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import duckdb

from asnsql.errors import PoolError

__all__ = ["PoolInfo", "load_pool", "require_columns"]

# Python's str.strip() set for ASCII; DuckDB's trim() alone strips only spaces.
_WHITESPACE = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)"
_RAW = "__asnsql_raw_pool"


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
        astropy format name. ``"ascii"`` (jwst's default) is parsed by
        DuckDB without importing astropy; any other format is read with
        astropy ``Table.read``.
    table : str
        Name of the table to create.

    Returns
    -------
    PoolInfo
        Name, path, lowercase column names (file order) and number of rows.

    Raises
    ------
    PoolError
        The file is missing or unreadable, or is not a table with unique,
        non-empty column names. The message is one line naming the file.
    """
    if not isinstance(source, (str, os.PathLike)):
        names, columns = _object_columns(source, "in-memory")
        return _load_objects(con, names, columns, table, "in-memory", None)
    path = os.fspath(source)
    if not os.path.exists(path):
        raise PoolError(f"{path}: no such file")
    if os.path.isdir(path):
        raise PoolError(f"{path}: is a directory, not a pool file")
    if fmt != "ascii":
        names, columns = _object_columns(_astropy_read(path, fmt, delimiter), path)
        return _load_objects(con, names, columns, table, os.path.basename(path), path)
    return _load_text(con, path, delimiter, table)


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


def _load_text(con, path, delimiter, table):
    """The fast path: DuckDB parses the data lines; Python only finds the header."""
    if len(delimiter) != 1:
        raise PoolError(f"{path}: delimiter must be one character, got {delimiter!r}")
    header_no, header, skipped = _scan(path)
    names = _check_names(path, _split_header(path, header, header_no, delimiter))
    struct = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names))) + "}"
    # Not DuckDB's comment option: it also cuts a line at a '#' inside it
    # (pool_005 has '#TODO' cells), where astropy skips whole '#' lines only.
    # No sniffing and strict mode, so a bad row is an error, never guessed at.
    read = (
        f"CREATE TEMP TABLE {_RAW} AS SELECT * FROM read_csv($path, delim = $delim, "
        f"header = false, skip = $skip, columns = {struct}, auto_detect = false, "
        "quote = '\"', escape = '\"', strict_mode = true, null_padding = false)"
    )
    with tempfile.TemporaryDirectory(prefix="asnsql-") as tmp:
        csv_path, skip, line_of = path, header_no, lambda n: n
        if skipped:
            # Comment or blank lines among the data: hand DuckDB only the data
            # lines, and keep their numbers to report errors against the file.
            csv_path, kept = os.path.join(tmp, "data.csv"), [0]
            with open(path, "rb") as src, open(csv_path, "wb") as dst:
                for number, line in enumerate(src, start=1):
                    if number > header_no and number not in skipped:
                        dst.write(line)
                        kept.append(number)
            skip, line_of = 0, kept.__getitem__
        con.execute(f"DROP TABLE IF EXISTS {_RAW}")
        try:
            con.execute(read, {"path": csv_path, "delim": delimiter, "skip": skip})
        except duckdb.Error as exc:
            raise PoolError(f"{path}: {_csv_problem(str(exc), line_of)}") from None
    try:
        # rowid is insertion order, which DuckDB keeps equal to file order.
        return _finish(con, names, [f"c{i}" for i in range(len(names))], "rowid",
                       table, os.path.basename(path), path)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_RAW}")


def _scan(path):
    """Return the header line number and text, and the numbers of later lines
    that astropy skips (comments, blank lines)."""
    header_no, header, skipped, number = 0, None, set(), 0
    try:
        with open(path, "rb") as f:
            for number, line in enumerate(f, start=1):
                stripped = line.strip()
                if stripped and not stripped.startswith(b"#"):
                    if header is None:
                        header_no, header = number, line
                elif header is not None:
                    skipped.add(number)
    except OSError as exc:
        raise PoolError(f"{path}: cannot read ({exc.strerror})") from None
    if header is None:
        problem = "empty file" if number == 0 else "no header line, only comments or blank lines"
        raise PoolError(f"{path}: {problem}")
    return header_no, header, skipped


def _split_header(path, raw, number, delimiter):
    """Split the header line as astropy's basic reader does (csv module rules)."""
    try:
        text = raw.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        raise PoolError(f"{path}: line {number}: not UTF-8 text, so not a table") from None
    if "\x00" in text:
        raise PoolError(f"{path}: line {number}: binary data, so not a table")
    return next(csv.reader([text.strip()], delimiter=delimiter, skipinitialspace=True))


def _check_names(where, names):
    """Lowercase and strip column names; refuse empty, duplicate or reserved ones."""
    lowered = [str(name).strip().lower() for name in names]
    if not lowered:
        raise PoolError(f"{where}: table has no columns")
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
        return f"{where}not UTF-8 text, so not a table"
    # DuckDB states the problem on the last line before its "Possible ..."
    # advice; the quoted original line above it may itself span lines.
    lines = message.split("\nPossible")[0].strip().splitlines()
    return f"{where}not a valid table ({lines[-1].split('Error: ')[-1].rstrip('.')})"


def _astropy_read(path, fmt, delimiter):
    """Read a non-default format with astropy, as jwst does (imported only here)."""
    from astropy.io.ascii import convert_numpy
    from astropy.table import Table

    kwargs = {}
    if (fmt.startswith("ascii") or fmt == "csv") and "ecsv" not in fmt:
        # Keep cells as text, like jwst's str converter ('1.50' stays '1.50').
        kwargs = {"delimiter": delimiter, "converters": {"*": [convert_numpy(str)]}}
    try:
        return Table.read(path, format=fmt, **kwargs)
    except Exception as exc:  # astropy raises many kinds; all mean "not readable"
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise PoolError(f"{path}: cannot read as {fmt!r}: {first}") from None


def _object_columns(source, where):
    """Column names and per-column Python values (missing as None) of an object."""
    # By module of any base class, so subclasses (jwst's AssociationPool)
    # count, and pandas/pyarrow need not be importable to be ruled out.
    modules = {cls.__module__.split(".")[0] for cls in type(source).__mro__}
    if isinstance(source, duckdb.DuckDBPyRelation):
        names = list(source.columns)
        rows = source.fetchall()
        return names, [list(col) for col in zip(*rows)] or [[] for _ in names]
    if "pandas" in modules and hasattr(source, "iloc"):
        names = list(source.columns)
        cols = [source.iloc[:, i] for i in range(len(names))]
        return names, [[None if m else v for v, m in zip(c.tolist(), c.isna().tolist())] for c in cols]
    if "pyarrow" in modules and hasattr(source, "column_names"):
        return list(source.column_names), [c.to_pylist() for c in source.columns]
    if "astropy" in modules and hasattr(source, "colnames"):
        import numpy as np

        columns = []
        for col in source.columns.values():
            mask = np.ma.getmaskarray(col).reshape(len(col), -1).all(axis=1)
            columns.append([None if m else v for v, m in zip(col, mask)])
        return list(source.colnames), columns
    raise PoolError(f"{where}: cannot read a pool from a {type(source).__name__}")


def _cell(value):
    """One value as text; masked, None and NaN are missing."""
    if value is None or type(value).__name__ in ("MaskedConstant", "NAType", "NaTType"):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) or type(value).__name__.startswith("float"):
        if value != value:
            return None
    return str(value)


def _load_objects(con, names, columns, table, name, path):
    """Load in-memory columns through a registered dict of NumPy arrays."""
    import numpy as np

    where = path or name
    names = _check_names(where, names)
    n = len(columns[0]) if columns else 0
    data = {"_row": np.arange(n, dtype=np.int64)}
    for i, values in enumerate(columns):
        data[f"c{i}"] = np.empty(n, dtype=object)
        data[f"c{i}"][:] = [_cell(v) for v in values]
    con.register(_RAW, data)
    try:
        return _finish(con, names, list(data)[1:], "_row", table, name, path)
    finally:
        con.unregister(_RAW)


def _finish(con, names, raw_columns, order, table, name, path):
    """Create ``table`` from the raw relation, normalising every cell."""
    quote = lambda ident: '"' + ident.replace('"', '""') + '"'  # noqa: E731
    cells = ",\n".join(
        f"NULLIF(lower(trim(CAST({raw} AS VARCHAR), {_WHITESPACE})), '') AS {quote(col)}"
        for raw, col in zip(raw_columns, names)
    )
    con.execute(
        f"CREATE OR REPLACE TABLE {quote(table)} AS\n"
        f"SELECT CAST(row_number() OVER (ORDER BY {order}) - 1 AS BIGINT) AS _row,\n"
        f"{cells}\nFROM {_RAW}\nORDER BY {order}"
    )
    n_rows = con.execute(f"SELECT count(*) FROM {quote(table)}").fetchone()[0]
    return PoolInfo(name=name, path=path, columns=tuple(names), n_rows=n_rows)
