"""The README's "Association tools" examples, pasted into a shell, print what the README says."""

import os
import re
import subprocess
import sys

from click.testing import CliRunner

from asnsql.cli import main
from readme import REPO, replay, section

SECTION = section("## Association tools")


def test_console_examples_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    steps = replay(SECTION, tmp_path)
    assert len(steps) >= 10
    for command, expected, printed in steps:
        assert printed == expected, command


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
