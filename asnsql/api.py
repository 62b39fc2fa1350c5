"""The Python API: ``generate`` a pool's associations on a DuckDB connection.

One generation is one pass of the engine over any number of pools
(:func:`run_pass`); :func:`generate` is that pass over one pool, and
:mod:`asnsql.archive` runs it over many pools, chunk by chunk.
"""

from __future__ import annotations

import datetime as _dt
from concurrent.futures import ThreadPoolExecutor
import json
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import duckdb

from asnsql import engine, views
from asnsql.documents import write_texts
from asnsql.errors import PoolError
from asnsql.final import Options, finalize_all
from asnsql.pool import PoolInfo, load_pools, quote_ident, require_columns
from asnsql.registry import Rule, load_rules


@dataclass
class Pass:
    """What one pass over many pools left on its connection.

    Attributes
    ----------
    con : duckdb.DuckDBPyConnection
        Holds the views of every pool read (keyed by ``_pool``) and the
        ``documents`` table (one row per file, with its JSON text).
    infos : list of PoolInfo or None
        One per source, None where it failed.
    errors : dict
        Source index -> one-line error message.
    unknown_ids : dict
        Source index -> ids asked for with ``ids`` that the pool lacks.
    """

    con: duckdb.DuckDBPyConnection
    infos: list
    errors: dict
    unknown_ids: dict


EMPTY_DOCUMENTS = (
    "CREATE OR REPLACE TABLE documents (_pool INTEGER, name_order BIGINT, file_name VARCHAR,"
    " asn_type VARCHAR, asn_rule VARCHAR, product_name VARCHAR, document VARCHAR)"
)


def timestamp() -> str:
    """A version id from the current UTC time, as the reference stamps runs."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y%m%dt%H%M%S")


def mode_of(discover: bool, all_candidates: bool, ids) -> engine.Mode:
    """The passes asked for; with neither mode (and no ids) both apply, as asn_generate does."""
    if ids is None and not discover and not all_candidates:
        discover = all_candidates = True
    return engine.Mode(
        candidates=all_candidates or ids is not None,
        discover=discover,
        ids=tuple(ids) if ids is not None else None,
    )


def run_pass(
    con: duckdb.DuckDBPyConnection,
    sources: list,
    rules: list[Rule],
    *,
    names: list[str] | None = None,
    delimiter: str = "|",
    pool_format: str = "ascii",
    **options,
) -> Pass:
    """Generate the associations of every source in one set-based pass on ``con``.

    A pool that cannot be read, or lacks a column every association needs,
    is left out and named in ``errors``; the others are generated.
    ``options`` are :func:`generate_loaded`'s.
    """
    infos, errors = load_pools(con, list(sources), names=names, delimiter=delimiter,
                               fmt=pool_format)
    return generate_loaded(con, infos, errors, rules, **options)


def generate_loaded(
    con: duckdb.DuckDBPyConnection,
    infos: list,
    errors: dict,
    rules: list[Rule],
    *,
    discover: bool = False,
    all_candidates: bool = False,
    ids=None,
    version_id: str | None = None,
    finalize_: bool = True,
    merge: bool = False,
    debug: bool = False,
    dms: bool = False,
    params: dict | None = None,
    sandbox: bool = False,
    publish: bool = True,
    keep_steps: bool = True,
) -> Pass:
    """Generate every pool already in the ``pool`` and ``pools`` tables of ``con``.

    ``params`` gives the values of the rules' declared ``$name`` parameters
    (bound, never pasted). With ``sandbox``, ``con`` is locked (see
    :func:`asnsql.engine.sandbox`: no external access, configuration locked,
    for good) before any rule SQL runs; without it, rule SQL runs on ``con``
    guarded only by the rule check. The CLI and :mod:`asnsql.archive` always
    sandbox the connections they make. Without ``publish`` the tables users
    query (``associations``, ``members``, ``orphans``) are not made; without
    ``keep_steps`` each step's tables are dropped once no later step reads
    them, ``asn_fate`` is not made, and (when finalising without ``debug``)
    the rules skip the passes where all they could make is invalid for its
    candidate type, so ``asn_made`` and ``asn_listed`` lack those. Both are
    for a caller that only writes the documents: they save time and memory.
    """
    rule_params = engine.rule_params(rules, params)
    needed = engine.required_columns(rules)
    for index, info in enumerate(infos):
        if info is None:
            continue
        try:
            require_columns(info, needed)
        except PoolError as err:
            errors[index], infos[index] = str(err), None
    dropped = sorted(errors)
    if dropped:
        con.execute("DELETE FROM pool WHERE list_contains($d, _pool)", {"d": dropped})
        con.execute("DELETE FROM pools WHERE list_contains($d, _pool)", {"d": dropped})
    if all(info is None for info in infos):
        # Nothing to generate: an empty result, and the views stay as they were.
        con.execute(EMPTY_DOCUMENTS)
        return Pass(con=con, infos=infos, errors=errors, unknown_ids={})
    mode = mode_of(discover, all_candidates, ids)
    if sandbox:
        engine.sandbox(con)
    columns = tuple(c[0] for c in con.execute("DESCRIBE pool").fetchall()[2:])
    engine.install_views(con)
    engine.build_exposures(con, columns, engine.keywords_read(rules))
    engine.build_candidates(con)
    unknown = engine.build_runs(con, mode, dms=dms)
    engine.build_items(con)
    # Without the steps' tables (no `asn_fate`) and without -D, only what
    # finalising keeps is written: the rules skip the passes that make nothing else.
    engine.run_rules(con, rules, rule_params, finalize=finalize_,
                     kept_only=finalize_ and not debug and not keep_steps)
    finalize_all(con, Options(
        discover=mode.discover,
        keep_candidates=mode.candidates,
        finalize=finalize_,
        merge=merge,
        debug=debug,
        dms=dms and ids is not None,
        asked=tuple(ids or ()),
        version_id=version_id,
    ), keep_steps=keep_steps, keep_pool=publish)
    if publish:
        views.publish(con)
    return Pass(con=con, infos=infos, errors=errors, unknown_ids=unknown)


def copy_table(src, dst, name: str, target: str | None = None) -> None:
    """Copy table ``name`` of ``src`` onto ``dst`` (as ``target``) through Arrow.

    Data moves between a sandboxed connection and any other this way: no
    file and no ATTACH, which a sandboxed connection may not use.
    """
    data = src.sql(f"FROM {quote_ident(name)}").to_arrow_table()
    target = target or quote_ident(name)
    dst.register("asnsql_handoff", data)
    try:
        dst.execute(f"CREATE OR REPLACE TABLE {target} AS FROM asnsql_handoff")
    finally:
        dst.unregister("asnsql_handoff")


def hand_back(src, dst) -> None:
    """Copy every table, view and macro a generation left on ``src`` onto ``dst``.

    The engine's temporary tables are a shape's scratch inputs and stay behind.
    """
    engine.install_views(dst)
    kinds = dict(engine.relations(src))
    tables = sorted(name for name, kind in kinds.items() if kind == "TABLE")
    # Two at a time, each on cursors of its own (in ``dst``'s current schema):
    # a copy is mostly waiting on Arrow and the catalog, not on Python.
    database, schema = dst.execute("SELECT current_database(), current_schema()").fetchone()

    def copy(name: str) -> None:
        into, out = dst.cursor(), src.cursor()
        try:
            into.execute(f"USE {quote_ident(database)}.{quote_ident(schema)}")
            copy_table(out, into, name)
        finally:
            into.close()
            out.close()

    pending = src.execute(
        "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal AND NOT temporary"
        " AND database_name = current_database() ORDER BY view_name").fetchall()
    # A name ``dst`` holds as the other kind (a table where the run left a
    # view, or a view where it left a table) cannot be replaced: drop it.
    for name, kind in engine.relations(dst):
        if kinds.get(name, kind) != kind:
            dst.execute(f"DROP {kind} {quote_ident(name)}")
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(copy, tables))
    # A view may read another: create them in any order that binds.
    while pending:
        left = []
        for name, text in pending:
            try:
                dst.execute(text.replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
            except duckdb.CatalogException:
                left.append((name, text))
        if len(left) == len(pending):
            raise RuntimeError(f"cannot hand back views {[n for n, _ in left]}")
        pending = left


@dataclass
class Generation:
    """What one generation of one pool produced.

    Attributes
    ----------
    con : duckdb.DuckDBPyConnection
        The connection holding the views, for further SQL: ``pool``,
        ``candidates``, ``candidate_order``, ``runs``, ``exposures``,
        ``items``, and what was generated: ``associations``, ``members``,
        ``orphans`` (see :data:`asnsql.explore.DOCUMENTED_VIEWS`). Where
        ``generate`` made it (no ``con`` given, sandboxed), it is made on
        first use: the tables are copied off the sandbox then, so a caller
        that only wants :attr:`texts` never pays for the copy.
    pool : PoolInfo
        The pool that was read.
    texts : dict
        File name -> JSON text, exactly as written, in the reference's order.
    unknown_ids : list of str
        Ids asked for with ``ids`` that the pool does not hold.
    """

    pool: PoolInfo
    rules: list[Rule]
    texts: dict[str, str] = field(default_factory=dict)
    unknown_ids: list[str] = field(default_factory=list)

    source: object = None
    read_options: dict = field(default_factory=dict)
    # The caller's connection, or None until `con` hands the sandbox's work over.
    _con: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)
    _sandbox: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._con is None:
                con = duckdb.connect()
                views.publish(self._sandbox)
                hand_back(self._sandbox, con)
                self._sandbox.close()
                self._con, self._sandbox = con, None
        return self._con

    @cached_property
    def documents(self) -> dict[str, dict]:
        """File name -> JSON document (parsed from :attr:`texts`)."""
        return {name: json.loads(text) for name, text in self.texts.items()}

    def write(self, path: str | Path = ".") -> list[Path]:
        """Write every document into folder ``path``; return the paths written."""
        return write_texts(self.texts, Path(path))

    def write_orphans(self, path: str | Path, every_row: bool = True) -> None:
        """Write the pool rows left out as a pool (see :func:`asnsql.orphans.write_orphans`)."""
        from asnsql.orphans import write_orphans

        write_orphans(self.con, self.source, Path(path), every_row=every_row, **self.read_options)


def generate(
    pool,
    *,
    discover: bool = False,
    all_candidates: bool = False,
    ids=None,
    version_id: str | bool | None = None,
    rules=(),
    ignore_default: bool = False,
    delimiter: str = "|",
    pool_format: str = "ascii",
    finalize_: bool = True,
    merge: bool = False,
    debug: bool = False,
    dms: bool = False,
    name: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    params: dict | None = None,
    sandbox: bool = True,
) -> Generation:
    """Generate the associations of a pool, as jwst's ``asn_generate`` would.

    Parameters
    ----------
    pool : str, Path, astropy Table, pandas DataFrame, Arrow table or DuckDB relation
        The association pool.
    discover, all_candidates : bool
        The reference's modes. With neither (and no ``ids``) both apply.
    ids : list of str, optional
        Only these candidates, in this order.
    version_id : str, True or None
        Tag for file and product names; True stamps the current time.
    rules : iterable of paths
        Extra SQL rule files or folders.
    ignore_default : bool
        Use only ``rules``, not the built-in ones.
    delimiter, pool_format : str
        How to read a pool file.
    finalize_ : bool
        Run validity checks, pruning and renumbering (``--no-finalize`` is False).
    merge : bool
        Merge Stage 2 associations per asn_type and candidate (``--merge``).
    debug : bool
        Keep pruned duplicates under ``dup`` names (``-D``).
    dms : bool
        With ``ids``: also generate the background candidates of those ids,
        then keep only associations of the ids asked for (``--DMS``).
    name : str, optional
        The ``asn_pool`` the documents record: by default a file's name, and
        ``"in-memory"`` for a table.
    con : duckdb.DuckDBPyConnection, optional
        Where to build the views (in its current schema, replacing tables
        and views of the same names); a new in-memory database by default.
        Pass the connection a ``pool`` relation lives on. For many pools in
        one pass, see :func:`asnsql.archive.generate_many`.
    params : dict, optional
        Values of the ``$name`` parameters rules declare (``params = [...]``
        in a rule header), bound as DuckDB parameters.
    sandbox : bool
        True (the default): the rules run on a private connection locked
        against files, network and settings (see :func:`asnsql.engine.sandbox`),
        and its tables and views are then copied onto ``con``, which is never
        locked and keeps DuckDB's full power. False: everything runs on
        ``con`` directly (a little faster; rule SQL is then guarded only by
        the rule check, so use it with rules you trust).

    Returns
    -------
    Generation

    Raises
    ------
    asnsql.errors.PoolError
        The pool cannot be read or lacks ``filename`` or ``asn_candidate``.
    asnsql.errors.RuleError
        A rule file is bad, lacks a parameter, or fails on this pool.
    """
    # Without a connection of the caller's, the sandbox's tables are handed
    # over only when `Generation.con` is first asked for.
    lazy = con is None and sandbox
    con = con if con is not None or sandbox else duckdb.connect()
    rule_list = load_rules(rules, include_default=not ignore_default)
    if version_id is True:
        version_id = timestamp()
    work = duckdb.connect() if sandbox else con
    kept = False  # the lazy sandbox outlives this call, in the Generation
    try:
        done = run_pass(
            work, [pool], rule_list, names=None if name is None else [name],
            discover=discover, all_candidates=all_candidates, ids=ids, version_id=version_id,
            delimiter=delimiter, pool_format=pool_format, finalize_=finalize_, merge=merge,
            debug=debug, dms=dms, params=params, sandbox=sandbox, publish=not lazy,
        )
        if done.errors:
            raise PoolError(done.errors[0])
        texts = dict(work.execute("SELECT file_name, document FROM documents ORDER BY name_order")
                     .fetchall())
        if sandbox and not lazy:
            hand_back(work, con)
        kept = lazy
    finally:
        if sandbox and not kept:
            work.close()
    return Generation(
        pool=done.infos[0],
        rules=rule_list,
        texts=texts,
        unknown_ids=done.unknown_ids.get(0, []),
        source=pool,
        read_options={"delimiter": delimiter, "fmt": pool_format},
        _con=con,
        _sandbox=work if lazy else None,
    )
