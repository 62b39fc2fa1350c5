"""Read the rule cases in ``tests/rule_cases/*.toml``.

A case file holds cases of one rule or theme::

    rule = "Asn_Lv2Image"          # the rule of every case that names none
    [defaults]                     # keywords every row of every case has
    program = "99009"

    [[case]]
    name = "science_with_background"
    description = "One sentence: the behaviour this case pins."
    rule = "Asn_Lv2Image"          # optional: overrides the file's
    mode = "candidates"            # optional: candidates (default), discover or both
    finalize = false               # optional: a run that will be finalised
    rows = [{ filename = "a_uncal.fits", asn_candidate = "[('o001', 'observation')]" }]
    expected = [{ run = "candidate o001 observation", members = [["a_rate.fits", "science"]] }]

Rows are dicts of lowercase keyword -> string; a row's keys override the
defaults, and ``""`` leaves a default keyword unset. ``expected`` lists every association in the order the reference
creates them, pass by pass, with members (expname, exptype) in order, as
jwst 3.0.0 makes them before finalising. This module needs no asnsql, so
``tests/jwst_rule_cases.py`` can read the cases under jwst's interpreter.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

CASE_DIR = Path(__file__).parent / "rule_cases"
CASE_KEYS = {"name", "description", "rule", "mode", "finalize", "rows", "expected"}


@dataclass(frozen=True)
class Case:
    """One rule case, its rows complete (defaults merged in)."""

    file: str
    name: str
    description: str
    rule: str
    mode: str
    finalize: bool
    rows: list
    expected: list

    @property
    def id(self) -> str:
        return f"{self.file}::{self.name}"

    def expected_pairs(self) -> list[tuple[str, tuple]]:
        """``expected`` as (run, ((expname, exptype), ...)) tuples."""
        return [(a["run"], tuple(tuple(m) for m in a["members"])) for a in self.expected]


def load_file(path: Path) -> list[Case]:
    """The cases of one file; a malformed case is a ValueError naming it."""
    data = tomllib.loads(path.read_text())
    defaults = {k: str(v) for k, v in data.get("defaults", {}).items()}
    cases = []
    for entry in data.get("case", []):
        where = f"{path.name}::{entry.get('name', '?')}"
        unknown = set(entry) - CASE_KEYS
        missing = {"name", "description", "rows", "expected"} - set(entry)
        if unknown or missing:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}, missing {sorted(missing)}")
        rule = entry.get("rule", data.get("rule"))
        if rule is None:
            raise ValueError(f"{where}: no rule (neither the case nor the file names one)")
        cases.append(Case(
            file=path.name,
            name=entry["name"],
            description=entry["description"],
            rule=rule,
            mode=entry.get("mode", "candidates"),
            finalize=entry.get("finalize", False),
            rows=[{**defaults, **{k: str(v) for k, v in row.items()}} for row in entry["rows"]],
            expected=entry["expected"],
        ))
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError(f"{path.name}: case names repeat")
    return cases


def load_cases(folder: Path = CASE_DIR) -> list[Case]:
    """Every case of every file, file by file in name order."""
    return [case for path in sorted(folder.glob("*.toml")) for case in load_file(path)]
