"""Conformance: our files equal jwst 3.0.0's, pool by pool and mode by mode.

Each case generates into a fresh folder and compares with the golden output
in fixtures/reference/<mode>/<pool>/ (same file names; every document equal
field by field and in order, except ``constraints`` and ``code_version``).
Known mismatches are listed, with reasons, in tests/conformance_xfail.toml;
they are strict xfails, so a case that starts to pass must leave the list.
"""

import pytest

from click.testing import CliRunner

from asnsql.cli import main as cli
from asnsql.conformance import (
    load_xfails,
    mode_args,
    pool_path,
    reference_cases,
    reference_failures,
    reference_root,
    run_case,
)
from asnsql.diff import compare_dirs, format_dirdiff

# The whole fixture set against its goldens: `make test-fast` leaves it out.
pytestmark = pytest.mark.conformance

XFAILS = load_xfails()
FAILURES = reference_failures()


def _cases():
    for mode, pool in reference_cases():
        reason = next((x.reason for x in XFAILS if x.applies(mode, pool)), None)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        yield pytest.param(mode, pool, id=f"{mode}-{pool}", marks=marks)


@pytest.mark.parametrize(("mode", "pool"), list(_cases()))
def test_conformance(mode, pool, tmp_path):
    result = run_case(pool, mode, tmp_path)
    if (mode, pool) in FAILURES:
        # The reference cannot process this pool; we must refuse it too,
        # with a message, and write nothing.
        assert result.error is not None
        assert not list(tmp_path.glob("*.json"))
        return
    assert result.error is None, result.error
    assert result.diff.ok, format_dirdiff(result.diff)
    # Other files the reference wrote (the orphan pool) must match byte for byte.
    for ref_file in (reference_root() / mode / pool).iterdir():
        if ref_file.suffix != ".json" and not ref_file.name.startswith("_"):
            assert (tmp_path / ref_file.name).read_bytes() == ref_file.read_bytes()


def test_imaging_pools_have_goldens():
    """The foundation's acceptance pools stay under test in all three modes."""
    cases = set(reference_cases())
    for pool in ("pool_002_image_miri", "pool_003_image_nircam", "pool_020_00009_image_miri"):
        for mode in ("default", "discover", "all-candidates"):
            assert (mode, pool) in cases
            assert not any(x.applies(mode, pool) for x in XFAILS)


def _batches():
    """Every mode's pools, grouped by the arguments they run with: one run each."""
    groups: dict[tuple, list[str]] = {}
    for mode, pool in reference_cases():
        groups.setdefault((mode, tuple(mode_args(pool, mode))), []).append(pool)
    for (mode, args), pools in sorted(groups.items()):
        reasons = [x.reason for x in XFAILS if any(x.applies(mode, p) for p in pools)]
        marks = [pytest.mark.xfail(reason=reasons[0], strict=True)] if reasons else []
        label = "-".join(a.lstrip("-") for a in args) or "plain"
        yield pytest.param(mode, list(args), pools, id=f"batch-{mode}-{label}", marks=marks)


@pytest.mark.parametrize(("mode", "args", "pools"), list(_batches()))
def test_batch_conformance(mode, args, pools, tmp_path):
    """All of a mode's pools in one run: each pool's folder is its golden, byte for byte."""
    result = CliRunner().invoke(
        cli, ["generate", *(str(pool_path(p)) for p in pools), "-p", str(tmp_path), "-q", *args])
    failing = {p for p in pools if (mode, p) in FAILURES}
    assert result.exit_code == (1 if failing else 0), result.output
    for pool in pools:
        # One pool file writes into -p itself, as asn_generate does.
        folder = tmp_path / pool if len(pools) > 1 else tmp_path
        if pool in failing:
            # Named on its own line; nothing written for it; the others complete.
            assert f"Error: {pool}.csv: " in result.output
            assert not folder.exists()
            continue
        golden = reference_root() / mode / pool
        diff = compare_dirs(golden, folder) if folder.exists() else None
        if diff is None:
            assert not list(golden.glob("*.json")), f"{pool}: nothing written"
            continue
        assert diff.ok, format_dirdiff(diff)
        for ref_file in golden.iterdir():
            if ref_file.suffix != ".json" and not ref_file.name.startswith("_"):
                assert (folder / ref_file.name).read_bytes() == ref_file.read_bytes()
