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
    rows = asn.rows or [None] * len(asn.members)
    by_member = {id(m): row for m, row in zip(asn.members, rows, strict=True)}
    for member in science:
        stem = remove_suffix(PurePosixPath(member["expname"]).stem)
        asn.members.append({**member, "expname": stem + "_x1d.fits", "exptype": "background"})
        rows.append(by_member[id(member)])
    asn.rows = rows


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
    """Duplicate pruning with the reference's bookkeeping.

    With ``debug`` the reference keeps what it prunes, renamed
    ``dupNNNNN_<name>``: NNNNN counts pruned associations over the whole run,
    and the name is frozen with the number the association had when pruned.
    """

    def __init__(self, debug: bool = False, version_id: str | None = None):
        self.debug = debug
        self.version_id = version_id
        self.count = 0
        self.kept: list[Association] = []

    def drop(self, asn: Association) -> None:
        if self.debug:
            self.count += 1
            asn.fixed_stem = f"dup{self.count:05d}_" + asn.file_stem(self.version_id)
            self.kept.append(asn)


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


def finalize(asns: list[Association], debug: bool = False,
             version_id: str | None = None) -> list[Association]:
    """Validity, pruning and numbering, Stage 2 then Stage 3.

    With ``debug``, pruned duplicates follow each stage's survivors under
    their ``dup`` names, as the reference keeps them.
    """
    pruner = Pruner(debug, version_id)
    result = []
    for level in (2, 3):
        mine = [a for a in asns if a.level == level and keeps(a)]
        for asn in mine:
            add_nod_backgrounds(asn)
        pruner.kept = []
        mine = prune_duplicate_associations(mine, pruner)
        mine = prune_duplicate_products(mine, pruner)
        resequence(mine)
        result.extend(mine + pruner.kept)
    return result


def number_by_creation(asns: list[Association]) -> None:
    """The numbers the reference gives as it creates associations.

    Stage 3 counts per asn_type over the whole run; Stage 2 shares one
    counter that starts at 2. Finalising renumbers; these survive only in
    ``--no-finalize`` runs without discovery, and in ``dup`` names.
    """
    stage3: dict[str, int] = defaultdict(int)
    stage2 = 1
    for asn in asns:
        if asn.level == 3:
            stage3[asn.asn_type] += 1
            asn.sequence = stage3[asn.asn_type]
        else:
            stage2 += 1
            asn.sequence = stage2


def merge_stage2(asns: list[Association]) -> list[Association]:
    """``--merge``: one Stage 2 association per (asn_type, asn_id).

    The first association of each key takes the products of the later ones;
    a product of the same name gains the members it lacks. Stage 3
    associations come first in the result, as in the reference.
    """
    others = [a for a in asns if a.level != 2]
    merged: dict[tuple, Association] = {}
    for asn in (a for a in asns if a.level == 2):
        key = (asn.asn_type, asn.asn_id)
        into = merged.setdefault(key, asn)
        if into is asn:
            continue
        for product in asn.products():
            same = next((p for p in into.products() if p["name"] == product["name"]), None)
            if same is None:
                into.more_products.append(product)
            else:
                names = {m["expname"] for m in same["members"]}
                same["members"].extend(m for m in product["members"] if m["expname"] not in names)
    return others + list(merged.values())


def creation_sorted(asns: list[Association]) -> list[Association]:
    """Associations in the order the reference creates them."""
    return sorted(asns, key=lambda a: a.creation)
