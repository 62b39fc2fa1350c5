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

from asnsql.errors import AsnsqlError, PoolError
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
    from asnsql.api import copy_table
    from asnsql.archive import chunks_of, run_chunk, write_files
    from asnsql.registry import load_rules

    if "con" in options:
        raise TypeError("collect() takes con= itself; it is not a generate option")
    tables = tuple(tables)
    unknown = [t for t in tables if t not in DOCUMENTED_VIEWS]
    if unknown:
        raise CollectError(
            f"cannot collect {', '.join(unknown)}: not a view of a generation "
            f"({', '.join(DOCUMENTED_VIEWS)})"
        )
    named = _named_sources(pools)
    names = [name for name, _ in named]
    sources = [source for _, source in named]
    con = con if con is not None else duckdb.connect()
    for table in ("pools",) + tables:
        _check_target(con, table)
    home = ".".join(_ident(part) for part in con.execute(
        "SELECT current_database(), current_schema()").fetchone())
    rule_list = load_rules(options.pop("rules", ()),
                           include_default=not options.pop("ignore_default", False))
    if options.get("version_id") is True:
        from asnsql.api import timestamp

        options["version_id"] = timestamp()
    first_error = None
    for indexes in chunks_of(sources):
        temp_before = _temp_tables(con)
        con.execute(f"DETACH DATABASE IF EXISTS {_SCRATCH}")
        con.execute(f"ATTACH ':memory:' AS {_SCRATCH}")
        # Rules run on a private, sandboxed connection; what collect keeps
        # is copied (through Arrow) into a scratch database on ``con``.
        work = duckdb.connect()
        try:
            chunk = run_chunk(work, sources, indexes, rule_list, names=names, sandbox=True,
                              **options)
            if path is not None:
                write_files(chunk, path)
            for table in sorted({"pools", "associations", "orphans", *tables}):
                copy_table(work, con, table, target=f"{_SCRATCH}.main.{_ident(table)}")
            good = [o.asn_pool for o in chunk.outcomes if o.error is None]
            for table in tables:
                _append(con, table, good)
            _record_pools(con, good)
            first_error = first_error or next(
                (o.error for o in chunk.outcomes if o.error is not None), None)
        finally:
            work.close()
            con.execute(f"USE {home}")
            con.execute(f"DETACH DATABASE IF EXISTS {_SCRATCH}")
            # The engine's scratch tables live in the shared temp schema.
            for table in _temp_tables(con) - temp_before:
                con.execute(f"DROP TABLE IF EXISTS temp.main.{_ident(table)}")
    if first_error is not None:
        raise PoolError(first_error)
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


def _append(con, table: str, asn_pools: list[str]) -> None:
    """Replace these pools' rows of ``table`` with the scratch table's, adding columns it lacks.

    Rows are keyed by ``asn_pool``, and ``_row`` counts within its pool, as
    a generation of that pool alone numbers it.
    """
    source = f"{_SCRATCH}.main.{table}"
    scratch_columns = dict(_columns(con, source))
    select = "SELECT p.asn_pool, t.* EXCLUDE (_pool)"
    join = f"FROM {source} AS t JOIN {_SCRATCH}.main.pools AS p USING (_pool)"
    if "asn_pool" in scratch_columns:
        select = "SELECT t.*"
        join = f"FROM {source} AS t JOIN {_SCRATCH}.main.pools AS p USING (asn_pool)"
    if "_row" in scratch_columns:
        select += " REPLACE (t._row - p.first_row AS _row)"
    rows = f"{select} {join} WHERE list_contains($pools, p.asn_pool)"
    params = {"pools": asn_pools}
    if not _exists(con, table):
        con.execute(f"CREATE TABLE {table} AS {rows}", params)
        return
    have = {name for name, _ in _columns(con, table)}
    for name, type_ in scratch_columns.items():
        if name not in have and name != "_pool":
            con.execute(f"ALTER TABLE {table} ADD COLUMN {_ident(name)} {type_}")
    con.execute(f"DELETE FROM {table} WHERE list_contains($pools, asn_pool)", params)
    con.execute(f"INSERT INTO {table} BY NAME {rows}", params)


def _record_pools(con, asn_pools: list[str]) -> None:
    """One row of ``pools`` per pool: its name, path and what came of it."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS pools (asn_pool VARCHAR, path VARCHAR,"
        " n_rows BIGINT, n_associations BIGINT, n_orphans BIGINT)"
    )
    con.execute("DELETE FROM pools WHERE list_contains($pools, asn_pool)", {"pools": asn_pools})
    con.execute(
        f"""
        INSERT INTO pools
        SELECT
            p.asn_pool,
            p.path,
            p.n_rows,
            (SELECT count(*) FROM {_SCRATCH}.main.associations AS a WHERE a.asn_pool = p.asn_pool),
            (SELECT count(*) FROM {_SCRATCH}.main.orphans AS o WHERE o.asn_pool = p.asn_pool)
        FROM {_SCRATCH}.main.pools AS p
        WHERE list_contains($pools, p.asn_pool)
        ORDER BY p._pool
        """,
        {"pools": asn_pools},
    )
