"""Publish a generation's results as tables beside the pool's views.

``associations``, ``members`` and ``orphans`` let a user ask SQL questions of
what was generated, on the same connection as ``pool`` and ``candidates``;
each leads with ``asn_pool``, the pool's name, so one query spans many pools.
"""

from __future__ import annotations

RESULT_TABLES = ("associations", "members", "orphans")


def publish(con) -> None:
    """Create ``associations``, ``members`` and ``orphans`` on ``con`` from ``documents``.

    ``associations``: one row per written file (asn_pool, file_name, asn_type,
    asn_rule, asn_id, candidate_type, program, target, sequence,
    product_name, n_members). ``members``: one row per member of a product
    (asn_pool, file_name, product_name, position, _row, filename, expname,
    exptype, exposerr); ``_row``/``filename`` are NULL for members that are
    not pool rows. ``orphans``: the pool rows no written association holds,
    with every pool column.
    """
    con.execute(
        """
        CREATE OR REPLACE TABLE members AS
        SELECT
            p.asn_pool,
            d.file_name,
            m.product_name,
            CAST(m.position AS INTEGER) AS position,
            m._row,
            e.filename,
            m.expname,
            m.exptype,
            m.exposerr
        FROM documents AS d
        JOIN doc_member AS m ON m.doc_uid = d.asn_uid
        JOIN pools AS p ON p._pool = d._pool
        LEFT JOIN pool AS e ON e._row = m._row
        ORDER BY d._pool, d.file_name, m.product_pos, m.position
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE associations AS
        SELECT
            p.asn_pool,
            d.file_name,
            d.asn_type,
            d.asn_rule,
            d.asn_id,
            d.candidate_type,
            d.program,
            d.target,
            CAST(d.sequence AS INTEGER) AS sequence,
            d.product_name,
            CAST((SELECT count(*) FROM doc_member AS m
                  WHERE m.doc_uid = d.asn_uid AND m.product_pos = 1) AS INTEGER) AS n_members
        FROM documents AS d
        JOIN pools AS p USING (_pool)
        ORDER BY d._pool, d.name_order
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE orphans AS
        SELECT p.asn_pool, o.* EXCLUDE (_pool)
        FROM pool AS o
        JOIN pools AS p USING (_pool)
        WHERE o._row NOT IN (SELECT _row FROM members WHERE _row IS NOT NULL)
        ORDER BY o._row
        """
    )
