"""The reference's finalising steps over association objects, for replaying them.

The engine finalises in SQL (``sql/final/``); ``asnsql.fates`` replays these
steps to say why an association was not written, and ``asnsql.final`` borrows
product-name pruning. Validity, the discovery filter, duplicate pruning and
sequence numbers. The reference works on Python lists; the order of those lists decides which
duplicate survives and which association is number 1, so each step here says
which order it keeps.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from asnsql.assemble import Association

# Candidate types whose Stage 3 associations must span several observations.
MULTI_OBSERVATION_TYPES = frozenset({"group", "background", "mosaic"})


def is_valid(asn: Association) -> bool:
    """The validity tests an association must pass to be written at all.

    Science present; the rule's own tests (`rule_valid`); Stage 2 only for
    observation candidates, or background candidates holding a background.
    Written even without finalising.
    """
    if not any(m["exptype"] == "science" for m in asn.members):
        return False
    acid_type = asn.acid_type.lower()
    if not rule_valid(asn, acid_type):
        return False
    if asn.rule.options.get("candidates") == "any":
        # The rule takes associations of every candidate type (WFSS parallels).
        return True
    if asn.level == 2:
        if acid_type == "observation":
            return True
        if acid_type == "background":
            return any(m["exptype"] == "background" for m in asn.members)
        return False
    return True


def keeps(asn: Association) -> bool:
    """Validity plus what finalising adds: Stage 3 associations of group,
    background and mosaic candidates must span more than one observation."""
    if not is_valid(asn):
        return False
    if (
        asn.level == 3
        and asn.acid_type.lower() in MULTI_OBSERVATION_TYPES
        # The nodded-spectra rule finalises on its own and skips this test.
        and asn.rule.options.get("finalize") != "nod_backgrounds"
    ):
        return len(asn.obs_nums) > 1
    return True


def rule_valid(asn: Association, acid_type: str) -> bool:
    """A rule's own validity tests, from its header.

    ``valid_requires`` (member exposure types it must hold, e.g. ``psf``),
    ``valid_min_members``, ``valid_candidate_types`` (the only candidate
    types it may have) and ``invalid_candidate_types``.
    """
    options = asn.rule.options
    held = {m["exptype"] for m in asn.members}
    if not set(options.get("valid_requires", ())) <= held:
        return False
    if len(asn.members) < options.get("valid_min_members", 0):
        return False
    allowed = options.get("valid_candidate_types")
    if allowed is not None and acid_type not in allowed:
        return False
    return acid_type not in options.get("invalid_candidate_types", ())


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
    known = {_identity(c) for c in candidates if c.membership() is not None}
    discovered = [d for d in discovered if _identity(d) not in known]
    return discovered + (candidates if keep_candidates else [])


def _identity(asn: Association) -> tuple:
    """What `same_as` compares, as a hashable key."""
    return (asn.asn_type, asn.asn_id[:1], asn.membership())


def _by_candidate(asns: list[Association]) -> list[Association]:
    return sorted(asns, key=lambda a: a.asn_id)


class Pruner:
    """Told of each association a pruning step drops, in the order it drops them."""

    def drop(self, asn: Association) -> None:
        pass


def prune_duplicate_associations(asns: list[Association], pruner: Pruner | None = None) -> list[Association]:
    """Drop associations whose members repeat another's.

    The reference sorts by candidate id, then repeatedly takes the *last* one
    and drops every remaining association with the same members (in sorted
    order); survivors come out in that (reverse) order.
    """
    pruner = pruner or Pruner()
    ordered = _by_candidate(asns)
    memberships = [a.membership() for a in ordered]
    same: dict[frozenset, list[int]] = defaultdict(list)
    for index, members in enumerate(memberships):
        if members is not None:
            same[members].append(index)
    dropped = [False] * len(ordered)
    kept = []
    for index in range(len(ordered) - 1, -1, -1):
        if dropped[index]:
            continue
        kept.append(ordered[index])
        members = memberships[index]
        if members is None:
            continue
        for other in same[members]:
            if other < index and not dropped[other]:
                dropped[other] = True
                pruner.drop(ordered[other])
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


def prune_duplicate_products(asns: list[Association], pruner: Pruner | None = None) -> list[Association]:
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
    pruner = pruner or Pruner()
    for asn in pruned:
        pruner.drop(asn)
    return [a for a in ordered if not any(a is p for p in pruned)]


def resequence(asns: list[Association]) -> None:
    """Number associations 1, 2, ... per (candidate, asn_type), in list order."""
    counters: dict[tuple, int] = defaultdict(int)
    for asn in asns:
        key = (asn.asn_id, asn.asn_type)
        counters[key] += 1
        asn.sequence = counters[key]


def creation_sorted(asns: list[Association]) -> list[Association]:
    """Associations in the order the reference creates them."""
    return sorted(asns, key=lambda a: a.creation)
