"""`python -m asnsql.conformance --check`: the exit status CI reads (cases stubbed: no generation)."""

import pytest
from click.testing import CliRunner

from asnsql import conformance
from asnsql.conformance import CaseResult, Xfail


@pytest.fixture
def stub(monkeypatch):
    """Three cases: one matches, one fails, one fails as the reference does."""
    outcomes = {}

    def run_case(pool, mode, out):
        return outcomes[(mode, pool)]

    def set_outcomes(failing_known=()):
        outcomes.clear()
        outcomes[("default", "good")] = CaseResult("default", "good", diff=_Same())
        outcomes[("default", "bad")] = CaseResult("default", "bad", error="boom")
        outcomes[("merge", "refused")] = CaseResult("merge", "refused", error="refused")
        monkeypatch.setattr(conformance, "load_xfails", lambda: list(failing_known))

    monkeypatch.setattr(conformance, "reference_cases", lambda: list(outcomes))
    monkeypatch.setattr(conformance, "run_case", run_case)
    monkeypatch.setattr(conformance, "reference_failures", lambda: {("merge", "refused")})
    monkeypatch.setattr(conformance, "write_report", lambda results, out: None)
    return set_outcomes


class _Same:
    ok = True


def test_check_fails_on_a_case_that_does_not_match(stub, tmp_path):
    stub()
    result = CliRunner().invoke(conformance.main, ["--out", str(tmp_path / "c.md"), "--check"])
    assert result.exit_code == 1
    assert "2 of 3 cases match" in result.output
    assert "1 case does not match: default/bad" in result.output


def test_check_passes_when_the_only_mismatch_is_a_known_one(stub, tmp_path):
    stub([Xfail("default", "bad", "a known quirk")])
    result = CliRunner().invoke(conformance.main, ["--out", str(tmp_path / "c.md"), "--check"])
    assert result.exit_code == 0, result.output


def test_without_check_a_mismatch_only_counts(stub, tmp_path):
    stub()
    result = CliRunner().invoke(conformance.main, ["--out", str(tmp_path / "c.md")])
    assert result.exit_code == 0
    assert "2 of 3 cases match" in result.output
