"""The bad-input contract itself catches what it exists to catch."""

import pytest

from badinput import _check, refuses


def test_contract_rejects_exit_zero():
    with pytest.raises(AssertionError, match="exit 0"):
        _check(0, "Error: x\n", (), "cmd")


def test_contract_rejects_a_traceback():
    with pytest.raises(AssertionError, match="traceback"):
        _check(1, "Traceback (most recent call last):\nError: x\n", (), "cmd")


def test_contract_wants_the_name():
    with pytest.raises(AssertionError, match="does not name"):
        _check(1, "Error: something\n", ("pool.csv",), "cmd")


def test_missing_pool_is_refused(tmp_path):
    missing = tmp_path / "no_such_pool.csv"
    refuses(["generate", missing, "-p", tmp_path / "out"], names=[missing.name],
            out=tmp_path / "out")
