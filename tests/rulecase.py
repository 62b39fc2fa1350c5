"""Run one rule over a handful of pool rows, in memory, in about a tenth of a second.

The harness takes the steps :func:`asnsql.api.generate_loaded` takes up to
the rules (load, views, exposures, candidates, passes, items, rules) and
stops there (:func:`run_steps`): nothing is finalised, named or written. It uses only public
functions of :mod:`asnsql.pool`, :mod:`asnsql.engine` and
:mod:`asnsql.registry`, so it does not depend on how a rule's SQL is written.

    >>> run_rule("Asn_Lv2Image", [row, ...])           # doctest: +SKIP
    [Association(run="candidate o001 observation", members=[(expname, exptype), ...]), ...]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import duckdb
import pyarrow as pa

from asnsql import engine
from asnsql.pool import load_pools
from asnsql.registry import Rule, load_rules

#: The passes a case may ask for: the reference's --all-candidates, --discover,
#: or both (asn_generate's default).
MODES = {
    "candidates": engine.Mode(candidates=True, discover=False),
    "discover": engine.Mode(candidates=False, discover=True),
    "both": engine.Mode(candidates=True, discover=True),
}


@dataclass(frozen=True)
class Association:
    """One association a rule made in one pass.

    ``run`` names the pass: ``"candidate <id> <type>"`` or ``"discover"``;
    ``members`` are (expname, exptype) pairs in member order.
    """

    run: str
    members: tuple[tuple[str, str], ...]


@cache
def builtin_rules() -> dict[str, Rule]:
    """The built-in rules by name (loaded, and checked, once per process)."""
    return {rule.name: rule for rule in load_rules()}


def pool_table(rows: list[dict]) -> pa.Table:
    """Rows (keyword -> value) as a pool table: every keyword any row sets; unset cells empty."""
    columns: dict[str, None] = {}
    for row in rows:
        for key in row:
            columns.setdefault(key.lower(), None)
    for needed in engine.REQUIRED_COLUMNS:
        if needed not in columns:
            raise ValueError(f"a pool row needs {needed!r}")
    lowered = [{k.lower(): v for k, v in row.items()} for row in rows]
    return pa.table({
        name: pa.array([None if r.get(name) is None else str(r[name]) for r in lowered],
                       type=pa.string())
        for name in columns
    })


def run_rule(name: str, rows: list[dict], *, mode: str = "candidates",
             finalize: bool = False, params: dict | None = None) -> list[Association]:
    """The associations rule ``name`` makes from ``rows``, before finalising.

    Parameters
    ----------
    name : str
        A built-in rule's name, e.g. ``Asn_Lv3Image``.
    rows : list of dict
        Pool rows; ``filename`` and ``asn_candidate`` are required.
    mode : str
        ``candidates``, ``discover`` or ``both`` (see :data:`MODES`).
    finalize : bool
        Whether the run is one that will be finalised: the shapes take the
        steps the reference takes only then (splitting nod sets, WFSS
        catalogs). Validity checks and duplicate pruning never run here.
    params : dict, optional
        Values of the rule's declared parameters.

    Returns
    -------
    list of Association
        Pass by pass, in the order each pass created them; this includes
        associations the reference creates but never writes (no science).
    """
    rule = builtin_rules()[name]
    con = duckdb.connect()
    try:
        run_steps(con, [rule], rows, mode=mode, finalize=finalize, params=params)
        found = con.execute(
            """
            SELECT
                any_value(CASE WHEN r.registry = 'discover' THEN 'discover'
                          ELSE 'candidate ' || r.cand_id || ' ' || r.cand_type END),
                list([m.expname, m.exptype] ORDER BY m.member_order)
            FROM rule_members AS m
            JOIN runs AS r USING (run_id)
            GROUP BY m.run_id, m.asn_key
            ORDER BY m.run_id, min(m.creator_row), m.asn_key
            """
        ).fetchall()
    finally:
        con.close()
    return [Association(run, tuple(tuple(m) for m in members)) for run, members in found]


def run_steps(con, rules: list[Rule], rows: list[dict], *, mode: str = "candidates",
              finalize: bool = False, params: dict | None = None) -> None:
    """Load ``rows`` as the one pool of ``con`` and run ``rules`` over it, up to
    ``rule_members`` (as :func:`asnsql.api.generate_loaded` does, before finalising)."""
    infos, errors = load_pools(con, [pool_table(rows)], names=["rulecase"])
    if errors:
        raise ValueError(errors[0])
    columns = tuple(c[0] for c in con.execute("DESCRIBE pool").fetchall()[2:])
    engine.install_views(con)
    engine.build_exposures(con, columns, engine.keywords_read(rules))
    engine.build_candidates(con)
    engine.build_runs(con, MODES[mode])
    engine.build_items(con)
    engine.run_rules(con, rules, engine.rule_params(rules, params), finalize=finalize)
