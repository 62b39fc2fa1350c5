"""Run the README's console examples as a reader would paste them, and compare what they print.

A section's ```console blocks hold ``$ command`` lines, each followed by the
lines it prints. ``.venv/bin/asnsql ...`` runs in process (click's
CliRunner, the shell's globbing done here); ``.venv/bin/python ...`` runs
with this interpreter; anything else runs in bash.
"""

from __future__ import annotations

import glob
import re
import shlex
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from asnsql.cli import main

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()


def section(title: str) -> str:
    """The README's text from the heading ``title`` to the next heading of level two."""
    start = README.index(title)
    end = README.find("\n## ", start + len(title))
    return README[start:end if end != -1 else len(README)]


def console_steps(text: str) -> list[tuple[str, list[str]]]:
    """(command, lines it prints) for every ``$`` line of the console blocks in ``text``."""
    steps = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *expected = chunk.rstrip("\n").split("\n")
            steps.append((command, expected))
    return steps


def run_step(command: str, cwd: Path) -> list[str]:
    """Run one README command in ``cwd``; return the lines it printed (stdout and stderr)."""
    if command.startswith(".venv/bin/asnsql "):
        args = []
        for word in shlex.split(command)[1:]:
            args += sorted(glob.glob(word, root_dir=cwd)) if "*" in word else [word]
        output = CliRunner().invoke(main, args).output
    else:
        if command.startswith(".venv/bin/python "):
            command = shlex.quote(sys.executable) + command[len(".venv/bin/python"):]
        proc = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True)
        output = proc.stdout + proc.stderr
    return output.rstrip("\n").split("\n") if output else []


def replay(text: str, cwd: Path) -> list[tuple[str, list[str], list[str]]]:
    """Run every step of ``text`` in order in ``cwd`` (holding a link to fixtures/)."""
    (cwd / "fixtures").symlink_to(REPO / "fixtures")
    return [(command, expected, run_step(command, cwd))
            for command, expected in console_steps(text)]
