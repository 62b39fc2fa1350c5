"""The contract every bad input is held to (issue 11), shared by the tests/test_bad_*.py suites.

A bad input must end the command with a non-zero exit status and exactly one
line on the terminal, ``Error: ...``, that names the file, row or option at
fault; no traceback; and nothing left behind in the output folder.

``refuses`` runs the command in process (click's CliRunner: fast, and an
uncaught exception shows as ``result.exception``); ``refuses_in_a_process``
runs the installed entry point in a child process, for what only a real
process shows (standard input, signals, memory).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from asnsql.cli import main


def files_under(folder: Path) -> list[str]:
    """Every file and folder below ``folder`` (relative, sorted); [] if it does not exist."""
    folder = Path(folder)
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _check(status: int, output: str, names: tuple[str, ...], command: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert status != 0, f"{command}: exit 0 for bad input; output:\n{output}"
    assert "Traceback" not in output, f"{command}: traceback:\n{output}"
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, f"{command}: want one 'Error: ' line, got:\n{output}"
    message = errors[0]
    for name in names:
        assert name in message, f"{command}: error does not name {name!r}: {message}"
    return message


def refuses(args, *, names=(), out: Path | None = None, input: str | bytes | None = None,
            before: list[str] | None = None) -> str:
    """Run ``asnsql ARGS`` in process; assert a clean refusal and return the error line.

    Parameters
    ----------
    args : sequence
        The command line after ``asnsql``.
    names : sequence of str
        Texts the error line must contain (the file, row or option at fault).
    out : Path, optional
        The output folder: it must hold afterwards exactly what it held before
        (``before``, default: nothing).
    """
    args = [str(a) for a in args]
    result = CliRunner().invoke(main, args, input=input)
    command = "asnsql " + " ".join(args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{command}: raised {type(result.exception).__name__}: {result.exception}")
    message = _check(result.exit_code, result.output, tuple(names), command)
    if out is not None:
        assert files_under(out) == (before or []), f"{command}: left {files_under(out)}"
    return message


def refuses_in_a_process(args, *, names=(), out: Path | None = None, stdin=None,
                         timeout: float = 60, env: dict | None = None) -> str:
    """As :func:`refuses`, in a child process (``python -m asnsql``)."""
    args = [str(a) for a in args]
    proc = subprocess.run(
        [sys.executable, "-m", "asnsql", *args], stdin=stdin, capture_output=True,
        timeout=timeout, env={**os.environ, **(env or {})},
    )
    output = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    command = "asnsql " + " ".join(args)
    message = _check(proc.returncode, output, tuple(names), command)
    if out is not None:
        assert files_under(out) == [], f"{command}: left {files_under(out)}"
    return message
