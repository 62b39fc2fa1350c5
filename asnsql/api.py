"""The Python API: ``generate`` a pool's associations on a DuckDB connection."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from asnsql import engine, finalize, views
from asnsql.assemble import Association, assemble
from asnsql.documents import to_document, write_documents
from asnsql.errors import PoolError
from asnsql.pool import PoolInfo, load_pools, require_columns
from asnsql.registry import Rule, load_rules


@dataclass
class Generation:
    """What one generation produced.

    Attributes
    ----------
    con : duckdb.DuckDBPyConnection
        The connection holding the views, for further SQL: ``pool``,
        ``candidates``, ``candidate_order``, ``runs``, ``exposures``,
        ``items``, and what was generated: ``associations``, ``members``,
        ``orphans`` (see :data:`asnsql.explore.DOCUMENTED_VIEWS`).
    pool : PoolInfo
        The pool that was read.
    associations : list of Association
        Finalised associations, in the reference's output order.
    documents : dict
        File name -> JSON document, as they would be written.
    unknown_ids : list of str
        Ids asked for with ``ids`` that the pool does not hold.
    """

    con: duckdb.DuckDBPyConnection
    pool: PoolInfo
    rules: list[Rule]
    associations: list[Association]
    documents: dict[str, dict] = field(default_factory=dict)
    unknown_ids: list[str] = field(default_factory=list)

    source: object = None
    read_options: dict = field(default_factory=dict)

    def write(self, path: str | Path = ".") -> list[Path]:
        """Write every document into folder ``path``; return the paths written."""
        return write_documents(self.documents, Path(path))

    def write_orphans(self, path: str | Path, every_row: bool = True) -> None:
        """Write the pool rows left out as a pool (see :func:`asnsql.orphans.write_orphans`)."""
        from asnsql.orphans import write_orphans

        write_orphans(self.con, self.source, Path(path), every_row=every_row, **self.read_options)


def timestamp() -> str:
    """A version id from the current UTC time, as the reference stamps runs."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y%m%dt%H%M%S")


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
    con: duckdb.DuckDBPyConnection | None = None,
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
    con : duckdb.DuckDBPyConnection, optional
        Where to build the views (in its current schema, replacing tables
        and views of the same names); a new in-memory database by default.
        Pass the connection a ``pool`` relation lives on. To gather several
        pools on one connection, see :func:`asnsql.collect`.

    Returns
    -------
    Generation
    """
    con = con if con is not None else duckdb.connect()
    rule_list = load_rules(rules, include_default=not ignore_default)
    infos, errors = load_pools(con, [pool], delimiter=delimiter, fmt=pool_format)
    if errors:
        raise PoolError(errors[0])
    info = infos[0]
    require_columns(info, engine.REQUIRED_COLUMNS)
    if ids is None and not discover and not all_candidates:
        discover = all_candidates = True
    mode = engine.Mode(
        candidates=all_candidates or ids is not None,
        discover=discover,
        ids=tuple(ids) if ids is not None else None,
    )
    if version_id is True:
        version_id = timestamp()

    engine.install_views(con)
    engine.build_exposures(con, info.columns, engine.keywords_read(rule_list))
    engine.build_candidates(con)
    asked = list(ids) if ids is not None else None
    unknown = engine.build_runs(con, mode, dms=dms).get(0, [])
    engine.build_items(con)
    engine.run_rules(con, rule_list, finalize=finalize_)

    asns = finalize.creation_sorted(assemble(con, rule_list, info.name))
    finalize.number_by_creation(asns)
    if mode.discover:
        asns = finalize.filter_discovered(asns, keep_candidates=mode.candidates)
        finalize.resequence(asns)
    if finalize_:
        final = finalize.finalize(asns, debug=debug, version_id=version_id)
    else:
        # Unfinalised associations are still written only when valid.
        final = [a for a in asns if finalize.is_valid(a)]
    if merge:
        final = finalize.merge_stage2(final)
    if dms and asked is not None:
        # The reference keeps associations whose id contains an id asked for.
        final = [a for a in final if any(cid in a.asn_id for cid in asked)]

    documents = {}
    names = []
    for asn in final:
        # A later association of the same name replaces an earlier one, as
        # the reference overwrites the file.
        name = asn.file_stem(version_id) + ".json"
        documents[name] = to_document(asn, info.name, version_id)
        names.append(name)
    views.publish(con, final, names)
    return Generation(
        con=con,
        pool=info,
        rules=rule_list,
        associations=final,
        documents=documents,
        unknown_ids=unknown,
        source=pool,
        read_options={"delimiter": delimiter, "fmt": pool_format},
    )
