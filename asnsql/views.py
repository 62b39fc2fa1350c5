"""Publish a generation's results as tables beside the pool's views.

``associations``, ``members`` and ``orphans`` let a user ask SQL questions of
what was generated, on the same connection as ``pool`` and ``candidates``.
"""

from __future__ import annotations

from asnsql.assemble import Association

RESULT_TABLES = ("associations", "members", "orphans")


def publish(con, associations: list[Association], file_names: list[str]) -> None:
    """Create ``associations``, ``members`` and ``orphans`` on ``con``.

    ``associations``: one row per written file (file_name, asn_type, asn_rule,
    asn_id, candidate_type, program, target, sequence, product_name, n_members).
    ``members``: one row per member (file_name, product_name, position, _row,
    filename, expname, exptype, exposerr); ``_row``/``filename`` are NULL for
    members that are not pool rows. ``orphans``: the pool rows no association
    holds, with every pool column.
    """
    con.execute(
        "CREATE OR REPLACE TABLE associations ("
        " file_name VARCHAR, asn_type VARCHAR, asn_rule VARCHAR, asn_id VARCHAR,"
        " candidate_type VARCHAR, program VARCHAR, target VARCHAR, sequence INTEGER,"
        " product_name VARCHAR, n_members INTEGER)"
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE member_rows ("
        " file_name VARCHAR, product_name VARCHAR, position INTEGER, _row BIGINT,"
        " expname VARCHAR, exptype VARCHAR, exposerr VARCHAR)"
    )
    asn_rows, member_rows = [], []
    for asn, file_name in zip(associations, file_names, strict=True):
        asn_rows.append((
            file_name, asn.asn_type, f"{asn.registry}_{asn.rule.name}", asn.asn_id,
            asn.acid_type, asn.program, asn.target, asn.sequence, asn.product_name,
            len(asn.members),
        ))
        rows = asn.rows or [None] * len(asn.members)
        for position, (member, row) in enumerate(zip(asn.members, rows, strict=True), start=1):
            member_rows.append((
                file_name, asn.product_name, position, row,
                member["expname"], member["exptype"], member.get("exposerr"),
            ))
    _insert(con, "associations", asn_rows, 10)
    _insert(con, "member_rows", member_rows, 7)
    con.execute(
        "CREATE OR REPLACE TABLE members AS"
        " SELECT m.file_name, m.product_name, m.position, m._row, p.filename,"
        " m.expname, m.exptype, m.exposerr"
        " FROM member_rows AS m LEFT JOIN pool AS p USING (_row)"
        " ORDER BY m.file_name, m.position"
    )
    con.execute("DROP TABLE member_rows")
    con.execute(
        "CREATE OR REPLACE TABLE orphans AS SELECT * FROM pool"
        " WHERE _row NOT IN (SELECT _row FROM members WHERE _row IS NOT NULL)"
        " ORDER BY _row"
    )


def _insert(con, table: str, rows: list[tuple], width: int) -> None:
    """Insert many rows with bound parameters: one list per column, unnested."""
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    select = ", ".join(f"unnest($c{i})" for i in range(width))
    con.execute(
        f"INSERT INTO {table} SELECT {select}",
        {f"c{i}": list(values) for i, values in enumerate(columns)},
    )
