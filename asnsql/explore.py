"""Ask SQL questions of a generation, and keep its views as a database file.

A generation leaves its views on a DuckDB connection (see
:data:`DOCUMENTED_VIEWS`). :func:`query` runs the user's own SQL over them,
with values bound as parameters; :func:`export` copies them as tables into a
DuckDB database file any DuckDB client can open; :func:`format_table`,
:func:`format_csv` and :func:`format_json` print a result.
"""

from __future__ import annotations

import csv
import datetime as _dt
import decimal
import io
import json
import os
from dataclasses import dataclass

import duckdb

from asnsql.errors import AsnsqlError

# The views a generation documents, in the order data flows through them.
DOCUMENTED_VIEWS = (
    "pool",             # the pool as read: _row, one lowercase VARCHAR column per keyword
    "candidates",       # (exposure, candidate) pairs listed in asn_candidate
    "candidate_order",  # candidates in the order the reference generates them
    "runs",             # one generation pass per candidate, then discovery
    "exposures",        # every keyword a rule reads, "not set" values as NULL
    "items",            # runs x exposures: the rows each pass offers the rules
    "associations",     # one row per written association file
    "members",          # one row per member of a written association
    "orphans",          # pool rows no written association holds
)

# Alias the export database is attached under while tables are copied.
_EXPORT_ALIAS = "asnsql_export"


class QueryError(AsnsqlError):
    """DuckDB rejected the user's SQL, or the database file cannot be written."""


@dataclass(frozen=True)
class Result:
    """A query result: column names and rows of Python values."""

    columns: tuple[str, ...]
    rows: list[tuple]


def one_line(err: Exception) -> str:
    """DuckDB's message without the caret diagram: its first paragraph, on one line."""
    text = str(err).strip()
    paragraph = text.split("\n\n", 1)[0]
    return " ".join(part.strip() for part in paragraph.splitlines() if part.strip())


def query(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> Result:
    """Run ``sql`` on ``con`` with ``$name`` parameters bound from ``params``.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A connection holding a generation's views (``Generation.con``).
    sql : str
        The user's query, run as given.
    params : dict, optional
        Values for the query's ``$name`` parameters; DuckDB binds them, they
        are never pasted into the SQL text.

    Returns
    -------
    Result
        Column names and rows; no columns for a statement that returns none.

    Raises
    ------
    QueryError
        DuckDB's own message, on one line.
    """
    try:
        cursor = con.execute(sql, params or None)
        if cursor.description is None:
            return Result((), [])
        columns = tuple(d[0] for d in cursor.description)
        return Result(columns, cursor.fetchall())
    except duckdb.Error as err:
        raise QueryError(one_line(err)) from None


def check_database(path) -> None:
    """Refuse ``path`` unless it is absent (to be created) or a DuckDB database file.

    A DuckDB file says ``DUCK`` at bytes 8-11; anything else (a pool, an
    empty file, a folder) would be overwritten or misread.

    Raises
    ------
    QueryError
        Naming the file.
    """
    path = os.fspath(path)
    if not os.path.lexists(path):
        return
    if os.path.isdir(path):
        raise QueryError(f"{path}: is a directory, not a DuckDB database file")
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError as err:
        raise QueryError(f"{path}: cannot read ({err.strerror})") from None
    if head[8:12] != b"DUCK":
        raise QueryError(f"{path}: not a DuckDB database file (give a new file, "
                         "or one DuckDB wrote)")


def export(con: duckdb.DuckDBPyConnection, path, views=DOCUMENTED_VIEWS) -> list[tuple[str, int]]:
    """Copy ``views`` of ``con`` as tables into the DuckDB database file ``path``.

    Tables of the same names in that file are replaced; other tables are
    left alone. Returns ``(table, rows)`` for each table written.

    Raises
    ------
    QueryError
        The file cannot be opened or written as a DuckDB database.
    """
    unknown = [v for v in views if v not in DOCUMENTED_VIEWS]
    if unknown:
        raise QueryError(f"not a documented view: {', '.join(unknown)}")
    path = os.fspath(path)
    check_database(path)
    try:
        con.execute(f"ATTACH $path AS {_EXPORT_ALIAS}", {"path": path})
    except duckdb.Error as err:
        raise QueryError(f"{path}: cannot open as a DuckDB database: {one_line(err)}") from None
    written = []
    try:
        for view in views:
            con.execute(
                f"CREATE OR REPLACE TABLE {_EXPORT_ALIAS}.main.{view} AS SELECT * FROM {view}"
            )
            (rows,) = con.execute(f"SELECT count(*) FROM {_EXPORT_ALIAS}.main.{view}").fetchone()
            written.append((view, rows))
    except duckdb.Error as err:
        raise QueryError(f"{path}: {one_line(err)}") from None
    finally:
        con.execute(f"DETACH {_EXPORT_ALIAS}")
    return written


def _text(value) -> str:
    """How one value reads in a table or CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=str)
    return str(value)


def format_table(result: Result) -> str:
    """An aligned plain-text table: header, dashes, rows; NULL shows as ``NULL``.

    Numbers are right-aligned, everything else left-aligned.
    """
    if not result.columns:
        return ""
    cells = [[("NULL" if v is None else _text(v)) for v in row] for row in result.rows]
    numeric = [
        all(isinstance(row[i], (int, float, decimal.Decimal)) and not isinstance(row[i], bool)
            for row in result.rows if row[i] is not None)
        and any(row[i] is not None for row in result.rows)
        for i in range(len(result.columns))
    ]
    widths = [
        max([len(name)] + [len(row[i]) for row in cells])
        for i, name in enumerate(result.columns)
    ]

    def line(values):
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out = [line(result.columns), line(["-" * w for w in widths])]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def format_csv(result: Result) -> str:
    """CSV with a header row; NULL is an empty cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow([_text(v) for v in row])
    return buffer.getvalue().rstrip("\n")


def _json_default(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (_dt.date, _dt.time, _dt.datetime)):
        return value.isoformat()
    return str(value)


def format_json(result: Result) -> str:
    """A JSON list with one object per row, keys in column order."""
    objects = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    return json.dumps(objects, indent=2, default=_json_default)
