"""Finalise associations the way the reference does before it writes them.

Validity, the discovery filter, duplicate pruning and sequence numbers. The
reference works on Python lists; the order of those lists decides which
duplicate survives and which association is number 1, so each step here says
which order it keeps.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import PurePosixPath

from asnsql.assemble import Association, remove_suffix

# Candidate types whose Stage 3 associations must span several observations.
MULTI_OBSERVATION_TYPES = frozenset({"group", "background", "mosaic"})


def is_valid(asn: Association) -> bool:
    """The reference's validity tests for a finished association."""
    if not any(m["exptype"] == "science" for m in asn.members):
        return False
    acid_type = asn.acid_type.lower()
    if asn.level == 2:
        if acid_type == "observation":
            return True
        if acid_type == "background":
            return any(m["exptype"] == "background" for m in asn.members)
        return False
    if (
        acid_type in MULTI_OBSERVATION_TYPES
        and len(asn.obs_nums) <= 1
        # The nodded-spectra rule finalises on its own and skips this test.
        and asn.rule.options.get("finalize") != "nod_backgrounds"
    ):
        return False
    return True


def add_nod_backgrounds(asn: Association) -> None:
    """Let each nod be the others' background (rules with ``finalize = "nod_backgrounds"``).

    With two or more science members, each science member is repeated at the
    end as a ``background`` member named for its ``x1d`` product, as the
    reference's ``make_fixedslit_bkg`` does; with fewer, nothing changes.
    """
    if asn.rule.options.get("finalize") != "nod_backgrounds":
        return
    science = [m for m in asn.members if m["exptype"] == "science"]
    if len(science) < 2:
        return
    for member in science:
        stem = remove_suffix(PurePosixPath(member["expname"]).stem)
        asn.members.append({**member, "expname": stem + "_x1d.fits", "exptype": "background"})


def same_as(a: Association, b: Association) -> bool:
    """Whether the discovery filter counts ``a`` and ``b`` as the same association."""
    return (
        a.asn_type == b.asn_type
        and a.asn_id[:1] == b.asn_id[:1]
        and a.membership() is not None
        and a.membership() == b.membership()
    )


def filter_discovered(asns: list[Association], keep_candidates: bool) -> list[Association]:
    """Keep discovered associations that no candidate association repeats.

    The result lists discovered associations first, then (if kept) the
    candidate ones, as the reference does.
    """
    candidates = [a for a in asns if a.registry == "candidate"]
    discovered = [a for a in asns if a.registry == "discover"]
    discovered = [d for d in discovered if not any(same_as(d, c) for c in candidates)]
    return discovered + (candidates if keep_candidates else [])


def _by_candidate(asns: list[Association]) -> list[Association]:
    return sorted(asns, key=lambda a: a.asn_id)


def prune_duplicate_associations(asns: list[Association]) -> list[Association]:
    """Drop associations whose members repeat another's.

    The reference sorts by candidate id and keeps the *last* of each set of
    equals, emitting survivors from the end of that order backwards.
    """
    ordered = _by_candidate(asns)
    kept, seen = [], set()
    for asn in reversed(ordered):
        membership = asn.membership()
        if membership is not None and membership in seen:
            continue
        if membership is not None:
            seen.add(membership)
        kept.append(asn)
    return kept


def _subset_or_equal(one: Association, other: Association) -> str | None:
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


def prune_duplicate_products(asns: list[Association]) -> list[Association]:
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
    pruned: list[Association] = []
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
    return [a for a in ordered if not any(a is p for p in pruned)]


def resequence(asns: list[Association]) -> None:
    """Number associations 1, 2, ... per (candidate, asn_type), in list order."""
    counters: dict[tuple, int] = defaultdict(int)
    for asn in asns:
        key = (asn.asn_id, asn.asn_type)
        counters[key] += 1
        asn.sequence = counters[key]


def finalize(asns: list[Association]) -> list[Association]:
    """Validity, pruning and numbering, Stage 2 then Stage 3."""
    result = []
    for level in (2, 3):
        mine = [a for a in asns if a.level == level and is_valid(a)]
        for asn in mine:
            add_nod_backgrounds(asn)
        mine = prune_duplicate_associations(mine)
        mine = prune_duplicate_products(mine)
        resequence(mine)
        result.extend(mine)
    return result


def creation_sorted(asns: list[Association]) -> list[Association]:
    """Associations in the order the reference creates them."""
    return sorted(asns, key=lambda a: a.creation)
