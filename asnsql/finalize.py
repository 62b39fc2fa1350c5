"""The one finalising step taken in Python: pruning associations that make the same product.

Everything else finalising does (validity, the discovery filter, duplicate
associations, numbering, merging) is SQL under ``sql/final/``, which also
records why each step dropped what it dropped (``asn_fate``). This walk is
order-dependent and meets only the few associations whose product name
repeats, so :func:`asnsql.final.prune_products` hands them here.

An entrant is anything with ``asn_id``, ``asn_type``, ``product_name``,
``members`` and ``membership()`` (its (expname, exptype) pairs, None when a
file repeats).
"""

from __future__ import annotations

from collections import Counter, defaultdict


def same_as(a: object, b: object) -> bool:
    """Whether the reference counts ``a`` and ``b`` as one association: type, id letter, members."""
    return (
        a.asn_type == b.asn_type
        and a.asn_id[:1] == b.asn_id[:1]
        and a.membership() is not None
        and a.membership() == b.membership()
    )


def _by_candidate(asns: list[object]) -> list[object]:
    return sorted(asns, key=lambda a: a.asn_id)


class Pruner:
    """Told of each association a pruning step drops, in the order it drops them."""

    def drop(self, asn: object) -> None:
        pass


def _subset_or_equal(one: object, other: object) -> str | None:
    """How the reference's member comparison sees two associations.

    'equal' when the (expname, exptype) pairs are the same; 'subset' when the
    member counts differ but no shared file has a different exptype (the
    reference calls that a subset even when neither holds the other); None
    otherwise, and always when a product repeats a file.
    """
    a, b = one.membership(), other.membership()
    if a is None or b is None:
        return None
    if a == b:
        return "equal"
    types_a, types_b = dict(a), dict(b)
    if any(types_b[name] != kind for name, kind in types_a.items() if name in types_b):
        return None
    return "subset" if len(a) != len(b) else None


def prune_duplicate_products(asns: list[object], pruner: Pruner | None = None) -> list[object]:
    """Among associations naming the same product, drop repeats and subsets.

    Follows the reference: when no product name repeats, the list is left as
    it is; otherwise survivors come back sorted by candidate id.
    """
    names = Counter(a.product_name for a in asns)
    dups = [name for name, count in names.items() if count > 1]
    if not dups:
        return asns
    ordered = _by_candidate(asns)
    by_product = defaultdict(list)
    for asn in ordered:
        by_product[asn.product_name].append(asn)
    pruned: list[object] = []
    for product in dups:
        group = by_product[product]
        keep = list(group)
        for asn in group:
            if any(asn is p for p in pruned):
                continue
            to_prune = []
            for entrant in keep:
                # The reference skips entrants it considers equal to this one.
                if entrant is asn or same_as(entrant, asn):
                    continue
                relation = _subset_or_equal(asn, entrant)
                if relation == "subset":
                    if len(entrant.members) > len(asn.members):
                        asn, entrant = entrant, asn
                    to_prune.append(entrant)
                elif relation == "equal":
                    to_prune.append(entrant)
            pruned.extend(to_prune)
            for gone in to_prune:
                keep = [k for k in keep if k is not gone]
    pruner = pruner or Pruner()
    for asn in pruned:
        pruner.drop(asn)
    return [a for a in ordered if not any(a is p for p in pruned)]
