"""Build the documented views of a pool and run every rule over them, set-based.

Views (all on the caller's DuckDB connection):

``pool``
    The pool as read: ``_row`` plus one lowercase VARCHAR column per keyword.
``candidates``, ``candidate_order``
    The candidates listed in ``asn_candidate`` (see ``sql/pool/candidates.sql``).
``runs``
    One row per generation pass: each candidate the mode asks for (in the
    reference's order), then the discovery pass over the whole pool.
``exposures``
    The pool with every keyword a rule reads, "not set" values as NULL.
``items``
    ``runs`` x ``exposures``: the exposures each pass sees, with the
    ``item_candidate`` text a member records and four derived columns:
    ``item_exptype`` (member type), ``item_exptype2`` (Stage 2 member type),
    ``item_is_tso`` and ``item_ints`` (processed per integration).
``rule_members``
    For each rule, pass and association, its members in order.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from asnsql.registry import Rule
from asnsql.sqlfiles import read_sql, sql_root

# Columns of ``items`` that are not pool keywords.
DERIVED_COLUMNS = frozenset({
    "run_id", "registry", "cand_id", "cand_type", "_row", "item_candidate",
    "filename", "raw_program", "raw_targetid", "raw_exposerr",
    "item_exptype", "item_exptype2", "item_is_tso", "item_ints",
})

# Keywords ``items`` derives its per-exposure columns from; always present.
ITEM_INPUTS = ("pntgtype", "exp_type", "is_psf", "is_imprt", "bkgdtarg", "tsovisit",
               "subarray", "pupil", "detector")

# Keywords the pool itself must have: without them no association can be named.
REQUIRED_COLUMNS = ("filename", "asn_candidate")


@dataclass(frozen=True)
class Mode:
    """Which passes to run: the reference's ``--discover``/``--all-candidates``/``-i``."""

    candidates: bool = True
    discover: bool = True
    ids: tuple[str, ...] | None = None


def install_views(con: duckdb.DuckDBPyConnection) -> None:
    """Define the shared macros (every file in ``sql/views/``) on a connection."""
    for path in sorted((sql_root() / "views").glob("*.sql")):
        con.execute(path.read_text())


def keywords_read(rules: list[Rule]) -> list[str]:
    """Every pool keyword the rules read (sqlglot found them when the rules loaded)."""
    names = set()
    for rule in rules:
        names |= set(rule.reads)
    return sorted(names - DERIVED_COLUMNS - {"registry", "role", "exptype", "expname"})


def build_exposures(con, pool_columns: tuple[str, ...], keywords: list[str]) -> None:
    """Create ``exposures``: each keyword a rule reads, NULL where unset or absent."""
    present = set(pool_columns)

    def raw(name):
        return f'"{name}"' if name in present else "NULL::VARCHAR"

    select = [
        "_row",
        f"{raw('filename')} AS filename",
        f"coalesce({raw('program')}, 'null') AS raw_program",
        f"coalesce({raw('targetid')}, 'null') AS raw_targetid",
        # The reference copies `exposerr` as read (an empty cell reads as
        # 'null'); a pool without the column gives JSON null.
        ("coalesce(\"exposerr\", 'null')" if "exposerr" in present else "NULL::VARCHAR")
        + " AS raw_exposerr",
        f"{raw('asn_candidate')} AS asn_candidate",
    ]
    for name in sorted(set(keywords) | set(ITEM_INPUTS)):
        if name == "asn_candidate":
            continue
        select.append(f"setval({raw(name)}) AS \"{name}\"")
    con.execute("CREATE OR REPLACE VIEW exposures AS SELECT " + ",\n    ".join(select) + " FROM pool")


def build_candidates(con) -> None:
    """Create ``candidates`` and ``candidate_order`` from the pool."""
    con.execute(read_sql("pool/candidates.sql"))


def build_runs(con, mode: Mode) -> list[str]:
    """Create ``runs``; return the requested ids the pool does not hold."""
    con.execute(
        "CREATE OR REPLACE TABLE runs ("
        " run_id INTEGER, registry VARCHAR, cand_id VARCHAR, cand_type VARCHAR)"
    )
    unknown = []
    if mode.ids is not None:
        for cand_id in mode.ids:
            found = con.execute(
                "SELECT cand_id, cand_type FROM candidate_order WHERE cand_id = $id"
                " ORDER BY first_type LIMIT 1",
                {"id": cand_id},
            ).fetchone()
            if found is None:
                unknown.append(cand_id)
                continue
            con.execute(
                "INSERT INTO runs SELECT (SELECT count(*) FROM runs) + 1, 'candidate', $id, $type",
                {"id": found[0], "type": found[1]},
            )
    elif mode.candidates:
        con.execute(
            "INSERT INTO runs SELECT cand_rank, 'candidate', cand_id, cand_type"
            " FROM candidate_order ORDER BY cand_rank"
        )
    if mode.discover and mode.ids is None:
        con.execute(
            "INSERT INTO runs SELECT (SELECT count(*) FROM runs) + 1, 'discover', NULL, 'discovered'"
        )
    return unknown


def background_ids(con, ids: list[str]) -> list[str]:
    """``--DMS``: background candidates listed on the rows of the given ids.

    Rows are chosen by substring, as the reference does; ids come in order of
    first appearance and are not repeated.
    """
    rows = con.execute(
        """
        SELECT c.cand_id
        FROM candidates AS c
        JOIN exposures AS e USING (_row)
        WHERE c.cand_type = 'background'
            AND list_bool_or(list_transform($ids, lambda i: contains(e.asn_candidate, i)))
        GROUP BY c.cand_id
        ORDER BY min(c._row * 1000 + c.cand_pos)
        """,
        {"ids": ids},
    ).fetchall()
    return [cand_id for (cand_id,) in rows if cand_id not in ids]


def build_items(con) -> None:
    """Create ``items``: the rows each pass sees (a table: every rule reads it).

    A candidate pass sees every exposure whose ``asn_candidate`` text
    contains the candidate id (a substring test, as the reference does) and
    records the candidate alone; the discovery pass sees the whole pool.
    """
    con.execute(
        """
        CREATE OR REPLACE TABLE items AS
        SELECT
            r.run_id,
            r.registry,
            r.cand_id,
            r.cand_type,
            CASE
                WHEN r.registry = 'candidate'
                    THEN '[(''' || r.cand_id || ''', ''' || r.cand_type || ''')]'
                ELSE e.asn_candidate
            END AS item_candidate,
            e.*,
            -- Computed once here rather than in every rule: the member type
            -- (Stage 3, and Stage 2 where a PSF counts as science), time
            -- series, and whether the pipeline works per integration.
            exposure_type(e.pntgtype, e.exp_type, e.is_psf, e.is_imprt, e.bkgdtarg) AS item_exptype,
            stage2_exposure_type(e.pntgtype, e.exp_type, e.is_psf, e.is_imprt, e.bkgdtarg)
                AS item_exptype2,
            is_tso(e.pntgtype, e.tsovisit, e.exp_type) AS item_is_tso,
            uses_integrations(e.pntgtype, e.tsovisit, e.exp_type, e.subarray, e.pupil, e.detector)
                AS item_ints
        FROM runs AS r
        JOIN exposures AS e
            ON r.registry = 'discover' OR contains(e.asn_candidate, r.cand_id)
        """
    )


# Rows of different rules share one shape run: the rule's rank is folded into
# `run_id` (rank * RULE_STRIDE + pass), so a shape's partitions by `run_id`
# keep rules apart without knowing about them.
RULE_STRIDE = 1_000_000


def run_rules(con, rules: list[Rule], params: dict | None = None, finalize: bool = True) -> None:
    """Run each rule once over all passes, then each shape once over all its rules.

    Members land in ``rule_members``; ``rule_rows`` keeps every rule's rows
    (with ``rule_rank``) for inspection.
    """
    params = params or {}
    # Shapes whose last steps the reference takes only when finalising
    # (splitting nod sets, WFSS catalog members) read this.
    con.execute("CREATE OR REPLACE TEMP TABLE generation AS SELECT $f AS finalize", {"f": finalize})
    con.execute(
        "CREATE OR REPLACE TABLE rule_members ("
        " rule VARCHAR, rule_rank INTEGER, run_id INTEGER, asn_key BIGINT,"
        " creator_row BIGINT, _row BIGINT, exptype VARCHAR, expname VARCHAR,"
        " member_order BIGINT, program VARCHAR, target VARCHAR, instrument VARCHAR,"
        " opt_elem VARCHAR, opt_elem2 VARCHAR, slit VARCHAR, subarray VARCHAR,"
        " obs_num VARCHAR, name_parts MAP(VARCHAR, VARCHAR))"
    )
    by_shape: dict[str, list[int]] = {}
    for rank, rule in enumerate(rules):
        by_shape.setdefault(rule.shape, []).append(rank)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE rule_names AS SELECT * FROM (VALUES "
        + ", ".join(f"({rank}, $n{rank})" for rank in range(len(rules)))
        + ") AS t(rule_rank, rule)",
        {f"n{rank}": rule.name for rank, rule in enumerate(rules)},
    )
    for shape, ranks in by_shape.items():
        # Every rule of the shape in one statement: DuckDB plans and runs
        # them together instead of paying a statement's overhead per rule.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE rule_rows AS "
            + " UNION ALL BY NAME ".join(
                f"SELECT * REPLACE (run_id + {rank * RULE_STRIDE} AS run_id), "
                f"{rank} AS rule_rank FROM (\n{rules[rank].sql}\n)"
                for rank in ranks
            ),
            {name: params[name] for rank in ranks for name in rules[rank].params},
        )
        # The passes, numbered as in rule_rows, for shapes that need a pass's
        # candidate type.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE rule_runs AS SELECT"
            f" r.run_id + k.rank * {RULE_STRIDE} AS run_id, r.registry, r.cand_id, r.cand_type"
            " FROM runs AS r CROSS JOIN (SELECT unnest($ranks) AS rank) AS k",
            {"ranks": ranks},
        )
        columns = {c[0] for c in con.execute("DESCRIBE rule_rows").fetchall()}

        def col(name):
            return f"r.{name}" if name in columns else "NULL"

        con.execute(
            f"""
            INSERT INTO rule_members
            SELECT
                n.rule, n.rule_rank, m.run_id % {RULE_STRIDE}, m.asn_key, m.creator_row,
                m._row, m.exptype, m.expname, m.member_order, {col('program')},
                {col('target')}, {col('instrument')}, {col('opt_elem')},
                {col('opt_elem2')}, {col('slit')}, {col('subarray')}, {col('obs_num')},
                {col('name_parts')}
            FROM ({read_sql(f"shapes/{shape}.sql")}) AS m
            JOIN rule_names AS n ON n.rule_rank = m.run_id // {RULE_STRIDE}
            -- Members that are not pool rows (_row NULL) keep no rule columns.
            LEFT JOIN rule_rows AS r ON r.run_id = m.run_id AND r._row = m._row
            """
        )
