"""Generate many pools on one DuckDB connection and query them together.

``collect(pools, con=con)`` generates each pool in a scratch in-memory
database attached to ``con``, then appends the tables asked for to tables of
the same names in ``con``'s current schema, each with a leading ``asn_pool``
column: the pool's file name, as every association document records it. A
``pools`` table holds one row per pool. One SQL query then answers a
question across every pool::

    con = asnsql.collect(sorted(Path("pools").glob("*.csv")))
    con.sql("SELECT asn_pool, count(*) FROM associations GROUP BY ALL")

Collecting a pool again replaces its rows, so a batch can be rerun or
extended on a database file. Pools whose columns differ are fine: a table
gains the columns a later pool brings (earlier pools read NULL there).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from asnsql.errors import AsnsqlError
from asnsql.explore import DOCUMENTED_VIEWS

# The tables collected unless asked otherwise: what was generated, and from what.
DEFAULT_TABLES = ("associations", "members", "orphans", "candidates")

# Where each pool is generated before its rows are copied; detached after.
_SCRATCH = "asnsql_scratch"


class CollectError(AsnsqlError):
    """The pools or the target tables cannot be collected as asked."""


def collect(
    pools,
    con: duckdb.DuckDBPyConnection | None = None,
    *,
    tables: Iterable[str] = DEFAULT_TABLES,
    path: str | os.PathLike | None = None,
    **options,
) -> duckdb.DuckDBPyConnection:
    """Generate each pool's associations and gather them in tables on one connection.

    Parameters
    ----------
    pools : iterable of paths, or mapping of name to source
        Pool files (named by their file name), or ``{name: source}`` for any
        source :func:`asnsql.generate` accepts (an astropy table, a DataFrame...).
    con : duckdb.DuckDBPyConnection, optional
        Where the tables go (its current schema); a new in-memory database by
        default. Use ``duckdb.connect("file.duckdb")`` to keep them.
    tables : iterable of str
        Which of a generation's views to collect (see
        :data:`asnsql.explore.DOCUMENTED_VIEWS`). ``pools`` is always written.
    path : path, optional
        Also write each pool's association files, into ``path/<pool stem>/``.
    **options
        Passed to :func:`asnsql.generate` (``discover``, ``all_candidates``,
        ``ids``, ``rules``, ``delimiter``...).

    Returns
    -------
    duckdb.DuckDBPyConnection
        ``con``, holding ``pools`` (asn_pool, path, n_rows, n_associations,
        n_orphans) and each collected table with a leading ``asn_pool`` column.

    Raises
    ------
    CollectError
        An unknown table, a repeated pool name, or a table of that name on
        ``con`` that was not made by ``collect``.
    asnsql.errors.PoolError
        A pool cannot be read; the pools before it stay collected.
    """
    from asnsql.api import generate

    if "con" in options:
        raise TypeError("collect() takes con= itself; it is not a generate option")
    tables = tuple(tables)
    unknown = [t for t in tables if t not in DOCUMENTED_VIEWS]
    if unknown:
        raise CollectError(
            f"cannot collect {', '.join(unknown)}: not a view of a generation "
            f"({', '.join(DOCUMENTED_VIEWS)})"
        )
    sources = _named_sources(pools)
    con = con if con is not None else duckdb.connect()
    for table in ("pools",) + tables:
        _check_target(con, table)
    home = ".".join(_ident(part) for part in con.execute(
        "SELECT current_database(), current_schema()").fetchone())

    for name, source in sources:
        temp_before = _temp_tables(con)
        con.execute(f"DETACH DATABASE IF EXISTS {_SCRATCH}")
        con.execute(f"ATTACH ':memory:' AS {_SCRATCH}")
        try:
            con.execute(f"USE {_SCRATCH}")
            generation = generate(source, con=con, **options)
            con.execute(f"USE {home}")
            for table in tables:
                _append(con, table, name)
            _record_pool(con, name, generation)
            if path is not None:
                generation.write(Path(path) / Path(name).stem)
        finally:
            con.execute(f"USE {home}")
            con.execute(f"DETACH DATABASE IF EXISTS {_SCRATCH}")
            # The engine's scratch tables live in the shared temp schema.
            for table in _temp_tables(con) - temp_before:
                con.execute(f"DROP TABLE IF EXISTS temp.main.{_ident(table)}")
    return con


def _named_sources(pools) -> list[tuple[str, object]]:
    """``(asn_pool, source)`` pairs; a file is named by its file name."""
    if isinstance(pools, Mapping):
        pairs = [(str(name), source) for name, source in pools.items()]
    elif isinstance(pools, (str, os.PathLike)):
        pairs = [(Path(pools).name, pools)]
    else:
        pairs = []
        for source in pools:
            if not isinstance(source, (str, os.PathLike)):
                raise CollectError(
                    "a pool that is not a file needs a name: pass {name: table, ...}"
                )
            pairs.append((Path(source).name, source))
    seen = set()
    for name, _ in pairs:
        if name in seen:
            raise CollectError(f"two pools are named {name}; pass {{name: path, ...}} to tell them apart")
        seen.add(name)
    return pairs


def _ident(name: str) -> str:
    """A quoted SQL identifier (names come from the catalog or a pool's header)."""
    return '"' + name.replace('"', '""') + '"'


def _columns(con, relation: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in con.execute(f"DESCRIBE {relation}").fetchall()]


def _temp_tables(con) -> set[str]:
    return {row[0] for row in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}


def _exists(con, table: str) -> bool:
    return con.execute(
        "SELECT count(*) FROM duckdb_tables()"
        " WHERE database_name = current_database() AND schema_name = current_schema()"
        " AND table_name = $t AND NOT temporary",
        {"t": table},
    ).fetchone()[0] > 0


def _check_target(con, table: str) -> None:
    """A table collect would append to must be one collect made."""
    if _exists(con, table) and "asn_pool" not in dict(_columns(con, table)):
        raise CollectError(
            f"table {table} already exists without an asn_pool column; "
            "collect into another connection or schema"
        )


def _append(con, table: str, asn_pool: str) -> None:
    """Replace ``asn_pool``'s rows of ``table`` with the scratch table, adding columns it lacks."""
    source = f"{_SCRATCH}.main.{table}"
    rows = f"SELECT CAST($asn_pool AS VARCHAR) AS asn_pool, * FROM {source}"
    params = {"asn_pool": asn_pool}
    if not _exists(con, table):
        con.execute(f"CREATE TABLE {table} AS {rows}", params)
        return
    have = {name for name, _ in _columns(con, table)}
    for name, type_ in _columns(con, source):
        if name not in have:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {_ident(name)} {type_}")
    con.execute(f"DELETE FROM {table} WHERE asn_pool = $asn_pool", params)
    con.execute(f"INSERT INTO {table} BY NAME {rows}", params)


def _record_pool(con, asn_pool: str, generation) -> None:
    """One row of ``pools``: the pool's name, path and what came of it."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS pools (asn_pool VARCHAR, path VARCHAR,"
        " n_rows BIGINT, n_associations BIGINT, n_orphans BIGINT)"
    )
    (n_orphans,) = con.execute(f"SELECT count(*) FROM {_SCRATCH}.main.orphans").fetchone()
    con.execute("DELETE FROM pools WHERE asn_pool = $asn_pool", {"asn_pool": asn_pool})
    con.execute(
        "INSERT INTO pools VALUES ($asn_pool, $path, $n_rows, $n_associations, $n_orphans)",
        {
            "asn_pool": asn_pool,
            "path": generation.pool.path,
            "n_rows": generation.pool.n_rows,
            "n_associations": len(generation.associations),
            "n_orphans": n_orphans,
        },
    )
