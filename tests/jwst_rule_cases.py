"""Check the rule cases against jwst itself (not a test: run it under jwst's Python).

    .venv-ref/bin/python tests/jwst_rule_cases.py [NAME-SUBSTRING ...]

Each case's rows are written as a ``|`` pool, read with jwst's
``AssociationPool``, and generated with the case's rule alone, pass by pass
as ``generate_per_candidate`` does (each candidate on its own sub-pool,
then discovery), without finalising; with ``finalize = true`` the rule's
finalize callback also runs, as asn_generate's finalising run does (it also
drops invalid associations, which the case must then not list). Prints
every case whose expectation differs from jwst's answer; exits 1 if any does.
With a finalising run the association order is the finalizer's, which the
cases do not pin (they run no finalizer): associations compare as a set.

``--fill`` writes jwst's answer into each case still reading ``expected = []``
(to draft a new case: review what it wrote before committing it).
"""

from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from rulecases import CASE_DIR, load_cases  # noqa: E402

from jwst.associations import AssociationPool, AssociationRegistry  # noqa: E402
from jwst.associations.generator.generate import generate  # noqa: E402
from jwst.associations.generator.generate_per_candidate import (  # noqa: E402
    ids_by_ctype,
    pool_from_candidate,
)
from jwst.associations.lib.utilities import constrain_on_candidates  # noqa: E402


def only(registry, name):
    """The registry with every rule but ``name`` removed (keys carry the registry's name).

    A Stage 3 rule keeps jwst's Asn_Lv3ACQ_Reprocess, which makes no
    association but re-offers target acquisitions to the others (the SQL
    rules take their acquisitions themselves).
    """
    keep = f"{registry.name}_{name}"
    helper = f"{registry.name}_Asn_Lv3ACQ_Reprocess"
    for key in list(registry):
        if key != keep and not (key == helper and name.startswith("Asn_Lv3")):
            del registry[key]
    if keep not in registry:
        raise KeyError(f"jwst has no rule {name}")
    return registry


def read_pool(rows, folder):
    columns = list(dict.fromkeys(k for row in rows for k in row))
    path = Path(folder) / "pool.csv"
    lines = ["|".join(columns)] + ["|".join(row.get(c, "") for c in columns) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return AssociationPool.read(str(path))


def members(asn):
    return tuple((m["expname"], m["exptype"]) for m in asn["products"][0]["members"])


def jwst_answer(case):
    """(run, members) of every association jwst makes for the case."""
    with tempfile.TemporaryDirectory() as folder:
        pool = read_pool(case.rows, folder)
    passes = []   # (run, rules, associations)
    if case.mode in ("candidates", "both"):
        for ctype, cids in ids_by_ctype(pool).items():
            for cid in cids:
                sub = pool_from_candidate(pool, cid)
                sub["asn_candidate"] = [f"[('{cid}', '{ctype}')]"] * len(sub)
                rules = only(AssociationRegistry(global_constraints=constrain_on_candidates([cid]),
                                                 name="candidate"), case.rule)
                passes.append((f"candidate {cid} {ctype}", rules,
                               generate(sub, rules, finalize=False)))
    if case.mode in ("discover", "both"):
        rules = only(AssociationRegistry(name="discover"), case.rule)
        passes.append(("discover", rules, generate(pool, rules, finalize=False)))
    found = []
    for run, rules, asns in passes:
        if case.finalize and asns:
            asns = rules.callback.reduce("finalize", asns)
        found += [(run, members(asn)) for asn in asns]
    return found


def as_toml(found):
    """An answer as a case's ``expected`` array."""
    if not found:
        return "expected = []"
    lines = ["expected = ["]
    for run, pairs in found:
        inner = ", ".join(f'["{n}", "{t}"]' for n, t in pairs)
        lines.append(f'    {{ run = "{run}", members = [{inner}] }},')
    return "\n".join(lines + ["]"])


def fill(case, got):
    """Replace the case's ``expected = []`` (the first after its name) with ``got``."""
    path = CASE_DIR / case.file
    text = path.read_text()
    start = text.index(f'name = "{case.name}"')
    end = text.find("[[case]]", start)
    at = text.index("expected = []", start, None if end < 0 else end)
    path.write_text(text[:at] + as_toml(got) + text[at + len("expected = []"):])


def main(args):
    logging.disable(logging.WARNING)
    selected = [a for a in args if a != "--fill"]
    bad = 0
    for case in load_cases():
        if selected and not any(s in case.id for s in selected):
            continue
        got = jwst_answer(case)
        expected = case.expected_pairs()
        if case.finalize:
            got, expected = sorted(got), sorted(expected)
        if "--fill" in args and not case.expected and got:
            fill(case, got)
            print(f"filled  {case.id}")
        elif got != expected:
            bad += 1
            print(f"DIFFERS {case.id}; jwst gives:\n{as_toml(got)}")
        else:
            print(f"ok      {case.id}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
