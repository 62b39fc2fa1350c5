"""Finalise every pool's associations at once, in SQL, and write their documents.

The rules leave ``rule_members``; the files under ``sql/final/`` turn it into
``documents`` (one row per file, its JSON text exactly as the reference
writes it) through tables a user may query: ``asn_member``, ``asn_made``,
``asn_listed``, ``asn_kept``, ``asn_ranked``, ``asn_survivor``, ``asn_out``,
``doc_part``, ``doc_member``. One Python step remains: pruning associations
that name the same product, an order-dependent walk the reference takes only
where a product name repeats, so it runs over those few associations alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from asnsql import __version__
from asnsql.engine import drop_relations, run_sql_file
from asnsql.finalize import prune_duplicate_products

CODE_VERSION = f"asnsql {__version__}"


@dataclass(frozen=True)
class Options:
    """What finalising is asked to do (the generate options that shape it)."""

    discover: bool = False          # a discovery pass ran: filter its repeats
    keep_candidates: bool = True    # candidate associations are kept
    finalize: bool = True           # False: --no-finalize
    merge: bool = False
    debug: bool = False
    dms: bool = False
    asked: tuple[str, ...] = ()     # with dms: the ids asked for
    version_id: str | None = None


# With ``keep_steps=False``: what each step leaves that no later step reads,
# dropped once it is spent (stage bases and shape scratch after the rules,
# ``items`` and ``rule_members`` once members are assembled...). At 100 k
# rows this is a quarter of the peak memory. ``pool`` goes too unless the
# published tables (``orphans``) read it.
SPENT = {
    "rules": ("stage3_items", "stage3_aux_items", "wfss_items", "stage2_items",
              "rule_rows", "rule_runs", "rule_skips", "candidate_cells", "candidate_tokens"),
    "10_assemble.sql": ("items", "rule_members", "rule_members_*", "exposures", "runs"),
    "20_finalize.sql": ("asn_member",),
}


def finalize_all(con, options: Options, *, keep_steps: bool = True,
                 keep_pool: bool = True) -> None:
    """From ``rule_members`` (and ``rule_info``, which
    :func:`asnsql.engine.run_rules` leaves) to ``documents``, for every pool on ``con``.

    Without ``keep_steps`` each step's tables are dropped once spent
    (:data:`SPENT`; ``pool`` too, without ``keep_pool``) and ``asn_fate``,
    which reads them, is not made: for a caller that only writes documents.
    """
    params = {
        "discover": options.discover,
        "keep_candidates": options.keep_candidates,
        "finalize": options.finalize,
        "merge": options.merge,
        "debug": options.debug,
        "dms": options.dms,
        "asked": list(options.asked),
        "version_id": options.version_id,
        "code_version": CODE_VERSION,
    }
    # What the views (`asn_kept`, and `asn_fate` in 50_fates.sql, which says
    # why a step dropped an association) read of the options.
    con.execute("CREATE OR REPLACE TABLE final_options AS"
                " SELECT $finalize AS finalize, $dms AS dms, CAST($asked AS VARCHAR[]) AS asked",
                {k: params[k] for k in ("finalize", "dms", "asked")})
    spent = {} if keep_steps else dict(SPENT)
    if spent and not keep_pool:
        spent["10_assemble.sql"] += ("pool",)
    drop_relations(con, spent.get("rules", ()))
    for name in ("10_assemble.sql", "20_finalize.sql", "30_survivors.sql"):
        run_sql_file(con, f"final/{name}", params)
        drop_relations(con, spent.get(name, ()))
    prune_products(con)
    run_sql_file(con, "final/40_documents.sql", params)
    if keep_steps:
        run_sql_file(con, "final/50_fates.sql", params)


@dataclass
class _Entrant:
    """What product pruning compares of an association."""

    uid: int
    asn_id: str
    asn_type: str
    product_name: str
    members: list
    pairs: frozenset | None

    def membership(self):
        return self.pairs


def prune_products(con) -> None:
    """``product_pruned``: survivors dropped because another makes the same product.

    Only survivors whose product name another survivor of their pool and
    stage also makes are read (the walk never looks past a product's own
    group, and meets the groups in the order of their first survivor);
    each stage is walked in the reference's order (``pos1``) by
    :func:`asnsql.finalize.prune_duplicate_products`.
    """
    rows = con.execute(
        """
        SELECT s._pool, s.level, s.asn_uid, s.asn_id, s.asn_type, s.product_name,
            s.final_membership, list(m.expname ORDER BY m.position)
        FROM asn_survivor AS s
        JOIN asn_final_member AS m USING (asn_uid)
        WHERE s.product_repeats
        GROUP BY ALL
        ORDER BY s._pool, s.level, any_value(s.pos1)
        """
    ).fetchall()
    stages: dict[tuple, list[_Entrant]] = {}
    for pool, level, uid, asn_id, asn_type, product, membership, names in rows:
        pairs = None
        if membership is not None:
            pairs = frozenset(tuple(p.split("\x1f", 1)) for p in membership.split("\x1e"))
        stages.setdefault((pool, level), []).append(
            _Entrant(uid, asn_id, asn_type, product, names, pairs))
    pruned: list[int] = []

    class _Record:
        def drop(self, entrant):
            pruned.append(entrant.uid)

    for entrants in stages.values():
        prune_duplicate_products(entrants, _Record())
    con.execute("CREATE OR REPLACE TABLE product_pruned (asn_uid BIGINT, prune_order INTEGER)")
    if pruned:
        con.execute(
            "INSERT INTO product_pruned SELECT unnest($u), generate_subscripts($u, 1)",
            {"u": pruned},
        )
