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
``stage3_items``, ``stage3_aux_items``
    The stage bases: ``items`` with what every Stage 3 rule shares (target,
    slit key, naming columns, the member's file), see ``sql/bases/``.
``rule_members``
    For each rule, pass and association, its members in order.
"""

from __future__ import annotations

import fnmatch
import re
import string
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import duckdb

from asnsql.naming import SUFFIX_PATTERN, SUFFIX_TAIL
from asnsql.errors import RuleError
from asnsql.registry import Rule, shape_header
from asnsql.sqlfiles import base_files, base_sql, read_sql, sql_root

# Columns of ``items`` that are not pool keywords.
DERIVED_COLUMNS = frozenset({
    "run_id", "registry", "cand_id", "cand_type", "_pool", "_row", "item_candidate",
    "filename", "raw_program", "raw_targetid", "raw_exposerr",
    "item_exptype", "item_exptype2", "item_is_tso", "item_ints",
})

# Columns the stage bases (``sql/bases/``) add to ``items``.
BASE_COLUMNS = frozenset({
    "exptype", "expname", "target", "science_target", "slit_key", "instrument", "opt_elem", "opt_elem2",
    "slit", "acq_key", "role", "expspcin_num", "name_prefix", "name_opt_elem", "name_suffix",
    "mode_key", "mode_options",
})

# Keywords ``items`` derives its per-exposure columns from; always present.
ITEM_INPUTS = ("pntgtype", "exp_type", "is_psf", "is_imprt", "bkgdtarg", "tsovisit",
               "subarray", "pupil", "detector")

# Keywords the pool itself must have: without them no association can be named.
REQUIRED_COLUMNS = ("filename", "asn_candidate")

# Keywords without which the reference writes nothing (PROGRAM, INSTRUME) or
# crashes (EXP_TYPE, TARGETID), where a rule reads them: a pool lacking one
# is refused, naming it, rather than silently giving no or fewer files.
KEY_COLUMNS = ("exp_type", "instrume", "program", "targetid")


def required_columns(rules) -> tuple[str, ...]:
    """The columns a pool must have for ``rules``: the two every association needs,
    and each key column a rule reads."""
    read = set(keywords_read(rules))
    return REQUIRED_COLUMNS + tuple(c for c in KEY_COLUMNS if c in read)


@dataclass(frozen=True)
class Mode:
    """Which passes to run: the reference's ``--discover``/``--all-candidates``/``-i``."""

    candidates: bool = True
    discover: bool = True
    ids: tuple[str, ...] | None = None


def sandbox(con: duckdb.DuckDBPyConnection) -> None:
    """Lock ``con`` down for rule SQL: no external access, configuration locked.

    Once set, neither can be undone on that database (cursors included): no
    file, URL or extension can be read or written, and no ``SET`` or
    ``ATTACH`` lifts it. Call it after the pool is loaded and before any
    rule or shape runs. Calling it again is harmless.
    """
    (locked,) = con.execute("SELECT current_setting('lock_configuration')").fetchone()
    if locked:
        (external,) = con.execute("SELECT current_setting('enable_external_access')").fetchone()
        if external:
            raise RuntimeError("connection is locked with external access on; cannot sandbox it")
        return
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")


def is_sandboxed(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` has external access off and its configuration locked."""
    return con.execute(
        "SELECT NOT current_setting('enable_external_access')"
        " AND current_setting('lock_configuration')"
    ).fetchone()[0]


def _one_line(err: Exception) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return (lines[0] if lines else type(err).__name__)[:300]


def rule_params(rules: list[Rule], params: dict | None) -> dict:
    """The values of every parameter the rules declare; a missing one is a RuleError."""
    params = dict(params or {})
    for rule in rules:
        for name in rule.params:
            if name not in params:
                raise RuleError(f"{rule.path}: rule {rule.name} declares parameter {name!r},"
                                f" which the run does not give (-P {name} VALUE)")
    return params


def install_views(con: duckdb.DuckDBPyConnection) -> None:
    """Define the shared macros (every file in ``sql/views/``) on a connection."""
    for path in sorted((sql_root() / "views").glob("*.sql")):
        con.execute(path.read_text())
    # Our own constant (known_suffixes.txt), so written into the macro's text.
    pattern = SUFFIX_PATTERN.replace("'", "''")
    tail = SUFFIX_TAIL.replace("'", "''")
    con.execute(
        "CREATE OR REPLACE MACRO without_suffix(s) AS CASE"
        f" WHEN contains(s, chr(10)) THEN regexp_extract(s, '{pattern}', 1)"
        f" ELSE regexp_replace(s, '{tail}', '\\1') END"
    )


def keywords_read(rules: list[Rule]) -> list[str]:
    """Every pool keyword the rules read (sqlglot found them when the rules loaded)."""
    names = set()
    for rule in rules:
        names |= set(rule.reads)
    return sorted(names - DERIVED_COLUMNS - BASE_COLUMNS)


def build_exposures(con, pool_columns: tuple[str, ...], keywords: list[str]) -> None:
    """Create ``exposures``: each keyword a rule reads, NULL where unset or absent."""
    present = set(pool_columns)

    def raw(name):
        return f'"{name}"' if name in present else "NULL::VARCHAR"

    select = [
        "_pool",
        "_row",
        # An empty cell reads as 'null' in the reference, which names the member so.
        f"coalesce({raw('filename')}, 'null') AS filename",
        f"coalesce({raw('program')}, 'null') AS raw_program",
        f"coalesce({raw('targetid')}, 'null') AS raw_targetid",
        # The reference copies `exposerr` as read (an empty cell reads as
        # 'null'); a pool without the column gives JSON null.
        # Pools share one table, so each pool's own column list says.
        ("CASE WHEN list_contains((SELECT p.columns FROM pools AS p WHERE p._pool = pool._pool),"
         " 'exposerr') THEN coalesce(\"exposerr\", 'null') END"
         if "exposerr" in present else "NULL::VARCHAR")
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


def build_runs(con, mode: Mode, dms: bool = False) -> dict[int, list[str]]:
    """Create ``runs``: the passes of every pool, numbered pool by pool.

    ``run_id`` is unique over all pools and orders passes as the reference
    runs them within a pool: candidates (all, or the ids asked for in their
    order), then discovery. With ``dms`` and ids, each pool also runs the
    background candidates listed on the rows of the ids asked for.

    Returns
    -------
    dict
        Pool -> the ids asked for that it does not hold, in the order asked.
    """
    passes = []
    if mode.ids is not None:
        con.execute(read_sql("pool/wanted.sql"), {"ids": list(mode.ids), "dms": dms})
        passes.append("SELECT _pool, k AS pass, 'candidate' AS registry, cand_id, cand_type"
                      " FROM wanted WHERE cand_type IS NOT NULL")
    elif mode.candidates:
        passes.append("SELECT _pool, cand_rank AS pass, 'candidate' AS registry, cand_id,"
                      " cand_type FROM candidate_order")
    if mode.discover and mode.ids is None:
        passes.append("SELECT _pool, (CAST(1 AS BIGINT) << 40) AS pass, 'discover' AS registry,"
                      " NULL::VARCHAR AS cand_id, 'discovered' AS cand_type FROM pools")
    body = " UNION ALL ".join(passes) or (
        "SELECT NULL::INTEGER AS _pool, NULL::BIGINT AS pass, NULL::VARCHAR AS registry,"
        " NULL::VARCHAR AS cand_id, NULL::VARCHAR AS cand_type WHERE false")
    con.execute(
        "CREATE OR REPLACE TABLE runs AS SELECT"
        " CAST(row_number() OVER (ORDER BY _pool, pass) AS BIGINT) AS run_id,"
        " CAST(_pool AS INTEGER) AS _pool, registry, cand_id, cand_type"
        f" FROM ({body}) ORDER BY run_id"
    )
    unknown: dict[int, list[str]] = {}
    if mode.ids is not None:
        for pool, cand_id in con.execute(
            "SELECT _pool, cand_id FROM wanted WHERE cand_type IS NULL ORDER BY _pool, k"
        ).fetchall():
            unknown.setdefault(pool, []).append(cand_id)
    return unknown


def build_items(con) -> None:
    """Create ``items``: the rows each pass sees (a table: every rule reads it).

    A candidate pass sees every exposure of its pool whose ``asn_candidate``
    text contains the candidate id (the reference's substring test: ``o001``
    also sees the rows of ``o0011``) and records the candidate alone; the
    discovery pass sees its whole pool. See ``sql/pool/items.sql``.
    """
    con.execute(read_sql("pool/items.sql"))



def build_bases(con, rules: list[Rule]) -> None:
    """Create the stage bases (``stage3_items``, ...) that ``rules`` or their
    shapes read: what every rule of a stage shares, computed once over
    ``items`` so that a rule holds only its own conditions and keys. See
    ``sql/bases/``."""
    files = base_files()
    texts = [rule.sql for rule in rules]
    texts += [read_sql(f"shapes/{shape}.sql") for shape in {r.shape for r in rules}]
    wanted = []
    for name in reversed(files):  # a later base may read an earlier one
        if any(re.search(rf"\b{name}\b", text) for text in texts):
            wanted.append(name)
            texts.append(base_sql(name))
    for name in files:
        if name in wanted:
            text = base_sql(name)
            # A base whose columns cost more than its rows are read is a view:
            # DuckDB works them out only for the rows a rule keeps.
            kind = "VIEW" if text.startswith("-- view = true\n") else "TABLE"
            con.execute(f"CREATE OR REPLACE {kind} {name} AS\n{text}")


def relations(con, *, temporary: bool = False) -> list[tuple[str, str]]:
    """``(name, 'TABLE' or 'VIEW')`` of what ``con`` holds in its current schema
    (and, with ``temporary``, its temporary tables), views first."""
    here = "database_name = current_database() AND schema_name = current_schema()"
    held = con.execute(
        f"SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE NOT temporary AND {here}"
        f" UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE NOT internal"
        f" AND NOT temporary AND {here}"
        + (" UNION ALL SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE temporary"
           if temporary else "")
    ).fetchall()
    return sorted(set(held), key=lambda h: (h[1] != "VIEW", h[0]))


def drop_relations(con, names) -> None:
    """Drop the tables and views ``names`` (``*`` matches any text) that ``con``
    holds in its current schema or as temporary tables, each as what it is
    (a view before the tables it may read)."""
    if not names:
        return
    for name, kind in relations(con, temporary=True):
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in names):
            con.execute(f'DROP {kind} IF EXISTS "{name}"')


def run_sql_file(con, relative: str, params: dict) -> None:
    """Run each statement of ``sql/<relative>`` with the parameters it names (of ``params``)."""
    for statement in con.extract_statements(read_sql(relative)):
        used = statement.named_parameters
        con.execute(statement.query, {k: params[k] for k in used} if used else None)


def build_rule_info(con, rules: list[Rule]) -> None:
    """``rule_info``: one row per rule rank with what the passes and finalising
    read from its header."""
    rows = []
    for rank, rule in enumerate(rules):
        opts = rule.options
        template = opts.get("product_name",
                            "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}")
        parts = [{"literal": literal, "field": field}
                 for literal, field, _, _ in string.Formatter().parse(template)]
        rows.append({
            "rule_rank": rank,
            "rule": rule.name,
            "level": rule.level,
            "asn_type": rule.asn_type,
            "rule_file": f"{rule.path.parent.name}/{rule.path.name}",
            "product_parts": parts,
            "finalize_with": opts.get("finalize"),
            "valid_requires": list(opts.get("valid_requires", ())),
            "valid_min_members": int(opts.get("valid_min_members", 0)),
            "valid_candidate_types": (None if opts.get("valid_candidate_types") is None
                                      else list(opts["valid_candidate_types"])),
            "invalid_candidate_types": list(opts.get("invalid_candidate_types", ())),
            "any_candidate": opts.get("candidates") == "any",
            "validity": opts.get("validity"),
        })
    types = {
        "rule_rank": "INTEGER", "rule": "VARCHAR", "level": "INTEGER", "asn_type": "VARCHAR",
        "rule_file": "VARCHAR",
        "product_parts": "STRUCT(literal VARCHAR, field VARCHAR)[]", "finalize_with": "VARCHAR",
        "valid_requires": "VARCHAR[]", "valid_min_members": "INTEGER",
        "valid_candidate_types": "VARCHAR[]", "invalid_candidate_types": "VARCHAR[]",
        "any_candidate": "BOOLEAN", "validity": "VARCHAR",
    }
    select = ", ".join(f"CAST(unnest(${k}) AS {t}) AS {k}" for k, t in types.items())
    con.execute(
        f"CREATE OR REPLACE TABLE rule_info AS SELECT {select}",
        {k: [row[k] for row in rows] for k in types},
    )


# The columns of ``rule_members``, each shape's members.
RULE_MEMBER_COLUMNS = (
    "rule VARCHAR, rule_rank INTEGER, run_id BIGINT, asn_key BIGINT,"
    " creator_row BIGINT, _row BIGINT, exptype VARCHAR, expname VARCHAR,"
    " member_order BIGINT, program VARCHAR, target VARCHAR, instrument VARCHAR,"
    " opt_elem VARCHAR, opt_elem2 VARCHAR, slit VARCHAR, subarray VARCHAR,"
    " obs_num VARCHAR, name_parts MAP(VARCHAR, VARCHAR)"
)

# How many shapes run at once, each on a cursor of its own. On a small pool
# a statement is mostly planning, which DuckDB does on one thread; two
# shapes at a time keep both cores busy.
SHAPE_WORKERS = 2


def run_rules(con, rules: list[Rule], params: dict | None = None, finalize: bool = True,
              kept_only: bool = False) -> None:
    """Run each rule once over all passes, then each shape once over all its rules.

    Members land in ``rule_members``: a view, in the rules' shape order, of
    one table per shape (``rule_members_<n>``). The shapes are independent
    and run two at a time, each on a cursor of its own, where ``rule_rows``
    and ``rule_runs`` are its scratch inputs (temporary tables, gone with
    the cursor). ``rule_info`` holds what finalising reads of each rule's
    header, and ``rule_passes(ranks)`` gives the passes a rule runs.

    With ``kept_only`` a rule skips the passes where every association it
    could make is invalid for the pass's candidate type alone (see
    ``sql/pool/passes.sql``): for a caller that finalises and writes only
    what is kept (neither ``-D`` nor ``asn_fate``, which lists them). On a
    real mix of candidates that is half of what the rules make, and the
    documents are the same.
    """
    params = rule_params(rules, params)
    if rules:
        build_bases(con, rules)
    by_shape: dict[str, list[int]] = {}
    for rank, rule in enumerate(rules):
        by_shape.setdefault(rule.shape, []).append(rank)
    build_rule_info(con, rules)
    run_sql_file(con, "pool/passes.sql", {"kept_only": kept_only})
    # One table per shape (one, empty, without rules).
    tables = [f"rule_members_{n}" for n in range(max(1, len(by_shape)))]
    # What an earlier generation on this connection left, whatever its kind.
    drop_relations(con, ["rule_members", "rule_members_*"])
    for table in tables:
        con.execute(f"CREATE TABLE {table} ({RULE_MEMBER_COLUMNS})")

    def one(job):
        table, (shape, ranks) = job
        cur = con.cursor()
        try:
            _run_rules_of_shape(cur, rules, shape, ranks, params, finalize, table, kept_only)
        finally:
            cur.close()

    with ThreadPoolExecutor(SHAPE_WORKERS) as workers:
        # In shape order: the first shape that failed is the one named.
        list(workers.map(one, zip(tables, by_shape.items())))
    # `member` is unique over the shapes' tables: finalising joins on it.
    con.execute("CREATE VIEW rule_members AS " + " UNION ALL ".join(
        f"SELECT (CAST({n} AS BIGINT) << 40) + rowid AS member, * FROM {t}"
        for n, t in enumerate(tables)))


def _run_rules_of_shape(con, rules, shape, ranks, params, finalize, into, kept_only) -> None:
    """The rules ``ranks`` of one shape, together; their members go ``into`` a table."""
    # Every rule of the shape in one statement: DuckDB plans and runs
    # them together instead of paying a statement's overhead per rule.
    _build_rule_runs(con, ranks)
    try:
        _build_rule_rows(con, rules, ranks, params, kept_only)
    except duckdb.Error as err:
        # Only on failure: each rule alone, to name the file at fault.
        for rank in ranks:
            try:
                _build_rule_rows(con, rules, [rank], params, kept_only)
            except duckdb.Error as alone:
                raise RuleError(f"{rules[rank].path}: rule {rules[rank].name} failed:"
                                f" {_one_line(alone)}") from None
        raise RuleError(f"rules of shape {shape} failed together: {_one_line(err)}") from None
    try:
        _run_shape(con, shape, finalize, into=into)
    except duckdb.Error as err:
        for rank in ranks:
            try:
                _build_rule_runs(con, [rank])
                _build_rule_rows(con, rules, [rank], params, kept_only)
                con.execute(f"CREATE OR REPLACE TEMP TABLE rule_members_probe"
                            f" ({RULE_MEMBER_COLUMNS})")
                _run_shape(con, shape, finalize, into="rule_members_probe")
            except duckdb.Error as alone:
                raise RuleError(f"{rules[rank].path}: rule {rules[rank].name} failed in"
                                f" shape {shape}: {_one_line(alone)}") from None
        raise RuleError(f"shape {shape} failed: {_one_line(err)}") from None


def _build_rule_runs(con, ranks: list[int]) -> None:
    """``rule_runs``: the passes the rules ``ranks`` run (``sql/pool/passes.sql``)."""
    con.execute("CREATE OR REPLACE TEMP TABLE rule_runs AS FROM rule_passes($ranks)",
                {"ranks": ranks})


def _build_rule_rows(con, rules: list[Rule], ranks: list[int], params: dict,
                     kept_only: bool = False) -> None:
    """``rule_rows``: the rows of the rules ``ranks`` (of one shape), one statement.

    A shape that lists the ``optional`` columns it reads keeps only those and
    its ``needs`` (a rule over a stage base selects all of the base). With
    ``kept_only`` each rule keeps the rows of its own passes (``rule_runs``).
    """
    header = shape_header(rules[ranks[0]].shape, rules[ranks[0]].path)
    if "optional" in header:
        names = [n for n in [*header["needs"], *header["optional"]] if n != "run_id"]
        listed = ", ".join("'" + n.replace("'", "''") + "'" for n in names)
        columns = f"COLUMNS(lambda c: list_contains([{listed}], c))"
    else:
        columns = "* EXCLUDE (run_id)"  # every column the rule gives

    def own_passes(rank):
        if not kept_only:
            return ""  # every rule runs every pass
        return f" WHERE run_id IN (SELECT run_id FROM rule_runs WHERE rule_rank = {rank})"

    con.execute(
        "CREATE OR REPLACE TEMP TABLE rule_rows AS "
        + " UNION ALL BY NAME ".join(
            f"SELECT {rank} AS rule_rank, run_id, {columns} FROM (\n{rules[rank].sql}\n)"
            + own_passes(rank)
            for rank in ranks
        ),
        {name: params[name] for rank in ranks for name in rules[rank].params},
    )


def _run_shape(con, shape: str, finalize: bool, into: str) -> None:
    """Run a built-in shape over ``rule_rows``; its members go ``into`` a table.

    A shape's inputs are explicit: ``rule_rows`` and ``rule_runs`` (each rule's
    passes, with their candidate type), both keyed by ``rule_rank`` and
    ``run_id``, the stage bases, and ``$finalize`` (the steps the reference
    takes only when finalising: splitting nod sets, WFSS catalog members).
    """
    columns = {c[0] for c in con.execute("DESCRIBE rule_rows").fetchall()}

    def col(name):
        return f"r.{name}" if name in columns else "NULL"

    shape_text = read_sql(f"shapes/{shape}.sql")
    con.execute(
        f"""
        INSERT INTO {into}
        SELECT
            n.rule, n.rule_rank, m.run_id, m.asn_key, m.creator_row,
            m._row, m.exptype, m.expname, m.member_order, {col('program')},
            {col('target')}, {col('instrument')}, {col('opt_elem')},
            {col('opt_elem2')}, {col('slit')}, {col('subarray')}, {col('obs_num')},
            {col('name_parts')}
        FROM ({shape_text}) AS m
        JOIN rule_info AS n ON n.rule_rank = m.rule_rank
        -- Members that are not pool rows (_row NULL) keep no rule columns.
        LEFT JOIN rule_rows AS r
            ON r.rule_rank = m.rule_rank AND r.run_id = m.run_id AND r._row = m._row
        """,
        {"finalize": finalize} if "$finalize" in shape_text else None,
    )
