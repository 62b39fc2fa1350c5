"""What became of each association the rules made: written, or dropped and why.

``Fates`` replays the finalising steps of :func:`asnsql.api.generate`
(discovery filter, validity, duplicate associations, duplicate products)
with :mod:`asnsql.finalize`'s own functions, noting each association that a
step drops and the reason, in words. ``asnsql explain`` asks it about the
associations holding one exposure.
"""

from __future__ import annotations

from asnsql import finalize
from asnsql.assemble import assemble


class Fates:
    """Replay finalising over every association the rules made.

    When the replay's survivors are not exactly the generation's files (a
    mode the replay does not follow, such as ``merge``), it says only
    "dropped when finalising" rather than guess.
    """

    def __init__(self, generation):
        con = generation.con
        made = finalize.creation_sorted(assemble(con, generation.rules, generation.pool.name))
        registries = {r[0] for r in con.execute("SELECT DISTINCT registry FROM runs").fetchall()}
        self.by_key: dict[tuple, list] = {}
        for asn in made:
            self.by_key.setdefault((asn.rule.name, asn.creation[0]), []).append(asn)
        self.fate: dict[int, str] = {}
        kept = made
        if "discover" in registries:
            kept = finalize.filter_discovered(made, keep_candidates="candidate" in registries)
            survivors = {id(a) for a in kept}
            candidates = [a for a in made if a.registry == "candidate"]
            for asn in made:
                if id(asn) not in survivors:
                    twin = next((c for c in candidates if finalize.same_as(asn, c)), None)
                    self.fate[id(asn)] = (
                        f"the discovery pass made it again, but candidate {twin.asn_id} already "
                        "had the same association, so the discovered one was dropped"
                        if twin else "dropped by the discovery filter"
                    )
        final, steps = [], []
        for level in (2, 3):
            mine = [a for a in kept if a.level == level]
            valid = [a for a in mine if finalize.keeps(a)]
            for asn in mine:
                if not finalize.keeps(asn):
                    self.fate[id(asn)] = "its association is invalid: " + invalid_reason(asn)
            unique = finalize.prune_duplicate_associations(valid)
            products = finalize.prune_duplicate_products(unique)
            finalize.resequence(products)
            final.extend(products)
            steps.append((valid, unique, lambda a, b: a.membership() == b.membership(),
                          "has the same members"))
            steps.append((unique, products, lambda a, b: a.product_name == b.product_name,
                          "makes the same product"))
        documents = generation.documents
        version = next(iter(documents.values()))["version_id"] if documents else None
        names = {id(a): a.file_stem(version) + ".json" for a in final}
        self.trusted = set(names.values()) == set(documents)
        self.final = set(names)
        for before, after, alike, what in steps:
            kept_ids = {id(a) for a in after}
            for asn in before:
                if id(asn) in kept_ids:
                    continue
                twin = next((a for a in after if id(a) in names and alike(a, asn)), None)
                self.fate[id(asn)] = (
                    f"pruned as a duplicate: {names[id(twin)]} {what}" if twin
                    else f"pruned as a duplicate: another association {what}"
                )

    def _holding(self, rule: str, run_id: int, row: int) -> list:
        return [a for a in self.by_key.get((rule, run_id), []) if row in a.rows]

    def joined(self, rule: str, run_id: int, row: int) -> bool:
        """Whether a written association of this rule and pass holds the row."""
        return any(id(a) in self.final for a in self._holding(rule, run_id, row))

    def dropped(self, rule: str, run_id: int, row: int) -> str | None:
        """Why the rule's associations holding the row were not written; None if it made none."""
        held = self._holding(rule, run_id, row)
        if not held:
            return None
        if not self.trusted:
            return "its association was dropped when finalising (validity or duplicate pruning)"
        reasons = [self.fate.get(id(a), "its association was dropped when finalising") for a in held]
        return "; ".join(dict.fromkeys(reasons))


def invalid_reason(asn) -> str:
    """The validity test an association fails, in words."""
    acid_type = asn.acid_type.lower()
    allowed = asn.rule.options.get("valid_candidate_types")
    if not any(m["exptype"] == "science" for m in asn.members):
        return "it holds no science exposure"
    if allowed is not None and acid_type not in allowed:
        said = asn.rule.options.get("validity") or (
            f"{asn.rule.name} keeps only {', '.join(allowed)} candidates")
        article = "an" if acid_type[:1] in tuple("aeiou") else "a"
        this = ("from the discovery pass" if acid_type == "discovered"
                else f"{article} {acid_type} candidate")
        return f"{said}, and this one is {this}"
    if asn.level == 2 and acid_type == "discovered":
        return "Stage 2 associations are kept only for observation candidates, not the discovery pass"
    if asn.level == 2 and acid_type not in ("observation", "background"):
        return f"Stage 2 associations are kept only for observation candidates, not {acid_type} ones"
    if asn.level == 2 and acid_type == "background":
        return "a background candidate's Stage 2 association must hold a background exposure"
    if acid_type in finalize.MULTI_OBSERVATION_TYPES and len(asn.obs_nums) <= 1:
        return f"a {acid_type} candidate's association must span two or more observations"
    return "the rule's own validity checks reject it"
