"""The engine-neutral batch interface: pool rows in, one row per association out.

STAND-IN until the one-pass engine lands: same interface (see
``notes/core-interface.md``), but it runs :func:`asnsql.generate` pool by pool.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

POOL_COLUMN = "asn_pool"
ROW_COLUMN = "pool_row"

RESULT_SCHEMA = pa.schema([
    ("asn_pool", pa.string()),
    ("file_name", pa.string()),
    ("asn_type", pa.string()),
    ("asn_rule", pa.string()),
    ("product_name", pa.string()),
    ("document", pa.string()),
    ("error", pa.string()),
])


def read_pools(paths, *, delimiter="|") -> pa.Table:
    """Pool files as one Arrow table: asn_pool, pool_row, then the union of their columns.

    A present but empty cell is ''; a column a pool lacks is null on its rows.
    (Stand-in: cells come stripped and lowercased, as the pool table holds them.)
    """
    from asnsql.pool import load_pool

    tables = []
    for path in paths:
        con = duckdb.connect()
        info = load_pool(con, path, delimiter=delimiter)
        cells = ", ".join(f'coalesce("{c}", \'\') AS "{c}"' for c in info.columns)
        table = con.sql(f"SELECT $name AS {POOL_COLUMN}, _row AS {ROW_COLUMN}, {cells} "
                        "FROM pool ORDER BY _row", params={"name": info.name}).arrow()
        tables.append(table.read_all() if hasattr(table, "read_all") else table)
    if not tables:
        return pa.table({POOL_COLUMN: pa.array([], pa.string()), ROW_COLUMN: pa.array([], pa.int64())})
    return pa.concat_tables(tables, promote_options="default")


def associate(batch: pa.Table, *, pool_column=POOL_COLUMN, row_column=ROW_COLUMN,
              threads: int | None = None, **options) -> pa.Table:
    """Generate the associations of every pool in ``batch``; see ``RESULT_SCHEMA``.

    ``threads`` (stand-in knob): DuckDB threads per pool's connection.
    """
    from asnsql.api import generate
    from asnsql.documents import serialize
    from asnsql.errors import AsnsqlError

    rows = []
    config = {"threads": threads} if threads else {}
    for pool in sorted(set(batch.column(pool_column).to_pylist())):
        part = batch.filter(pc.equal(batch.column(pool_column), pool)).sort_by(row_column)
        own = [n for n in part.column_names if n not in (pool_column, row_column)
               and part.column(n).null_count < len(part)]
        try:
            result = generate(part.select(own), con=duckdb.connect(config=config), **options)
        except AsnsqlError as err:
            message = str(err).replace("in-memory: ", f"{pool}: ", 1)
            rows.append({"asn_pool": pool, "error": message})
            continue
        for name in sorted(result.documents):
            doc = result.documents[name]
            doc["asn_pool"] = pool
            rows.append({"asn_pool": pool, "file_name": name, "asn_type": doc["asn_type"],
                         "asn_rule": doc["asn_rule"], "product_name": doc["products"][0]["name"],
                         "document": serialize(doc)})
    return pa.Table.from_pylist(rows, schema=RESULT_SCHEMA)
