"""The README's "Association tools" examples, pasted into a shell, print what the README says."""

import glob
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from asnsql.cli import main

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
_START = README.index("## Association tools")
SECTION = README[_START:README.index("\n## ", _START)]


def _console_steps():
    steps = []
    for block in re.findall(r"```console\n(.*?)```", SECTION, re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *expected = chunk.rstrip("\n").split("\n")
            steps.append((command, expected))
    return steps


def _run(command: str, cwd: Path) -> str:
    """`.venv/bin/asnsql ...` in process (the shell's globbing done here); anything else by bash."""
    if not command.startswith(".venv/bin/asnsql "):
        proc = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True)
        return proc.stdout + proc.stderr
    args = []
    for word in shlex.split(command)[1:]:
        args += sorted(glob.glob(word, root_dir=cwd)) if "*" in word else [word]
    return CliRunner().invoke(main, args).output


def test_console_examples_in_order(tmp_path, monkeypatch):
    (tmp_path / "fixtures").symlink_to(REPO / "fixtures")
    monkeypatch.chdir(tmp_path)
    steps = _console_steps()
    assert len(steps) >= 10
    for command, expected in steps:
        output = _run(command, tmp_path)
        assert (output.rstrip("\n").split("\n") if output else []) == expected, command


def test_python_example(tmp_path):
    code = re.search(r"### Read one.*?```python\n(.*?)```", SECTION, re.S).group(1)
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout == "image2 ['test_lrs1_rate', 'test_lrs2_rate']\n", proc.stderr


def test_help_lists_the_tools():
    listed = CliRunner().invoke(main, ["--help"]).output
    for command in ("validate", "make-pool", "from-list", "edit", "gather", "diff"):
        assert re.search(rf"^  {command} ", listed, re.M), command
        assert "Example:" in CliRunner().invoke(main, [command, "--help"]).output
