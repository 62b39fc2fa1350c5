"""Rule cases as data: each case of tests/rule_cases/*.toml runs one rule on a few rows.

A case pins one behaviour of one rule as jwst 3.0.0 shows it before
finalising (``tests/jwst_rule_cases.py`` checks the expectations against
jwst itself). Each runs in about a tenth of a second: see :mod:`rulecase`.
"""

import pprint
from dataclasses import replace

import pytest

from rulecase import builtin_rules, run_rule
from rulecases import CASE_DIR, load_cases

CASES = load_cases()


def answer(case):
    """What the engine gives for ``case``, as (run, members) tuples."""
    found = run_rule(case.rule, case.rows, mode=case.mode, finalize=case.finalize)
    return [(a.run, a.members) for a in found]


def explain(case, got) -> str:
    return (f"{case.id}: {case.description}\n"
            f"expected:\n{pprint.pformat(case.expected_pairs(), width=100)}\n"
            f"got:\n{pprint.pformat(got, width=100)}")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule_case(case):
    got = answer(case)
    assert got == case.expected_pairs(), explain(case, got)


def test_cases_exist_for_every_file():
    files = {c.file for c in CASES}
    assert files == {p.name for p in CASE_DIR.glob("*.toml")}
    assert len(CASES) >= 25


def test_every_case_names_a_builtin_rule_and_a_mode():
    rules = builtin_rules()
    for case in CASES:
        assert case.rule in rules, f"{case.id}: no rule {case.rule}"
        assert case.mode in ("candidates", "discover", "both"), case.id
        assert case.description.strip(), case.id


def test_a_wrong_expectation_fails():
    """The comparison is not vacuous: a member dropped, reordered or retyped fails the case."""
    case = next(c for c in CASES if any(len(a["members"]) > 1 for a in c.expected))
    test_rule_case(case)
    at, asn = next((i, a) for i, a in enumerate(case.expected) if len(a["members"]) > 1)
    first, *rest = asn["members"]
    for members in (rest, rest + [first], [[first[0], "nonsense"], *rest]):
        expected = case.expected[:at] + [{**asn, "members": members}] + case.expected[at + 1:]
        with pytest.raises(AssertionError, match=case.name):
            test_rule_case(replace(case, expected=expected))
    with pytest.raises(AssertionError):
        test_rule_case(replace(case, expected=case.expected[:at] + case.expected[at + 1:]))
