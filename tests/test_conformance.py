"""Conformance: our files equal jwst 3.0.0's, pool by pool and mode by mode.

Each case generates into a fresh folder and compares with the golden output
in fixtures/reference/<mode>/<pool>/ (same file names; every document equal
field by field and in order, except ``constraints`` and ``code_version``).
Known mismatches are listed, with reasons, in tests/conformance_xfail.toml;
they are strict xfails, so a case that starts to pass must leave the list.
"""

import pytest

from asnsql.conformance import (
    load_xfails,
    reference_cases,
    reference_failures,
    reference_root,
    run_case,
)
from asnsql.diff import format_dirdiff

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
