"""The engine-neutral core: pool rows in, one row per association out (Arrow tables).

Any engine that can hand a task a batch of whole pools (Spark, Ray, a job
queue) calls :func:`associate` on it; inside, it is the same one-pass engine
``asnsql generate`` runs, so the documents are byte-identical to the files.

A batch is an Arrow table of the rows of any number of pools, in any order:
``asn_pool`` (the pool's name, as every document records it) and
``pool_row`` (the row's 0-based place in its pool) say where each row
belongs; the other columns are the pool's cells as text. A pool keeps only
its own columns: a column that is null on every row of a pool is absent
from it, and a present but empty cell is ``''`` (the two write different
documents). :func:`read_pools` makes such a batch from pool files.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from asnsql.api import generate_loaded
from asnsql.errors import PoolError
from asnsql.pool import load_batch, load_pools, quote_ident, quote_text
from asnsql.registry import load_rules

POOL_COLUMN = "asn_pool"
ROW_COLUMN = "pool_row"

# What associate returns: one row per document, or per pool that failed.
RESULT_SCHEMA = pa.schema([(name, pa.string()) for name in (
    "asn_pool", "file_name", "asn_type", "asn_rule", "product_name", "document", "error")])


def read_pools(paths, *, delimiter: str = "|"):
    """Pool files as one Arrow batch (see the module's description).

    Raises
    ------
    PoolError
        A pool file cannot be read (the first such file, named).
    """
    paths = [str(p) for p in paths]
    con = duckdb.connect()
    _, errors = load_pools(con, paths, delimiter=delimiter)
    if errors:
        raise PoolError(errors[min(errors)])
    names = [row[0] for row in con.execute("DESCRIBE pool").fetchall()[2:]]
    cells = "".join(
        f", CASE WHEN list_contains(p.columns, {quote_text(n)}) THEN coalesce(t.{quote_ident(n)}, '') END"
        f" AS {quote_ident(n)}"
        for n in names
    )
    return con.sql(
        f"SELECT p.asn_pool, t._row - p.first_row AS pool_row{cells}"
        " FROM pool AS t JOIN pools AS p USING (_pool) ORDER BY t._row"
    ).to_arrow_table()


def associate(batch, *, pool_column: str = POOL_COLUMN, row_column: str = ROW_COLUMN,
              rules=(), ignore_default: bool = False, threads: int | None = None,
              con: duckdb.DuckDBPyConnection | None = None, sandbox: bool | None = None,
              **options):
    """Generate the associations of every pool in ``batch`` in one pass.

    Parameters
    ----------
    batch : pyarrow.Table
        Rows of whole pools (see the module's description).
    pool_column, row_column : str
        The columns holding the pool key and the row order within a pool.
    rules, ignore_default
        As :func:`asnsql.generate`.
    threads : int, optional
        DuckDB threads (1 inside a cluster task that has one core).
    con : duckdb.DuckDBPyConnection, optional
        Where to run (a new in-memory database by default).
    sandbox : bool, optional
        Lock the connection against files, network and settings once the
        batch is loaded, before any rule SQL runs (:func:`asnsql.engine.sandbox`;
        it cannot be undone). By default: yes on the connection made here,
        no on a ``con`` passed in (pass True to lock it too).
    **options
        The other options of :func:`asnsql.generate` (``discover``, ``ids``,
        ``version_id``, ``merge``, ``params``, ...).

    Returns
    -------
    pyarrow.Table
        One row per document, sorted by (asn_pool, file_name): asn_pool,
        file_name, asn_type, asn_rule, product_name, document (the JSON
        text, byte-identical to the file), error (NULL). A pool that failed
        gives one row with its one-line error and nothing else.
    """
    if sandbox is None:
        sandbox = con is None
    con = con if con is not None else duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    rule_list = load_rules(rules, include_default=not ignore_default)
    infos, errors = load_batch(con, batch, pool_column=pool_column, row_column=row_column)
    generate_loaded(con, infos, errors, rule_list, sandbox=sandbox, **options)
    failed = con.execute("SELECT _pool, asn_pool FROM batch_pools").fetchall()
    failed = sorted((name, errors[index]) for index, name in failed if index in errors)
    return con.sql(
        """
        SELECT p.asn_pool, d.file_name, d.asn_type, d.asn_rule, d.product_name, d.document,
            NULL::VARCHAR AS error
        FROM documents AS d JOIN pools AS p USING (_pool)
        UNION ALL
        SELECT pool, NULL, NULL, NULL, NULL, NULL, error
        FROM (SELECT unnest($pools) AS pool, unnest($errors) AS error)
        WHERE pool IS NOT NULL
        ORDER BY 1, 2
        """,
        # A list of one NULL when none failed: an empty list has no type to bind.
        params={"pools": [p for p, _ in failed] or [None], "errors": [e for _, e in failed] or [None]},
    ).to_arrow_table().cast(RESULT_SCHEMA)
