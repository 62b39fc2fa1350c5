"""The README's "Association tools" examples, pasted into a shell, print what the README says."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()
SECTION = README[README.index("## Association tools"):README.index("## Layout")]


def _console_steps():
    steps = []
    for block in re.findall(r"```console\n(.*?)```", SECTION, re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *expected = chunk.rstrip("\n").split("\n")
            steps.append((command, expected))
    return steps


@pytest.mark.skipif(not (REPO / ".venv" / "bin" / "asnsql").exists(), reason="needs make's .venv")
def test_console_examples_in_order(tmp_path):
    for name in (".venv", "fixtures"):
        (tmp_path / name).symlink_to(REPO / name)
    steps = _console_steps()
    assert len(steps) >= 10
    for command, expected in steps:
        proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True)
        shown = (proc.stdout + proc.stderr).rstrip("\n").split("\n") if (proc.stdout + proc.stderr) else []
        assert shown == expected, command


def test_python_example(tmp_path):
    code = re.search(r"### Read one.*?```python\n(.*?)```", SECTION, re.S).group(1)
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.stdout == "image2 ['test_lrs1_rate', 'test_lrs2_rate']\n", proc.stderr
