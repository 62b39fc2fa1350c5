"""The README's "An archive in one run" and "Many pools in one pass" examples do what it says."""

import re
import subprocess
import sys

from readme import REPO, replay, section

ARCHIVE = section("## An archive in one run")


def test_archive_console_examples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    steps = replay(ARCHIVE, tmp_path)
    assert [command.split()[1] for command, _, _ in steps[:1]] == ["generate"]
    assert len(steps) == 4
    for command, expected, printed in steps:
        assert printed == expected, command
    assert (tmp_path / "associations.parquet").is_file()


def test_many_pools_in_one_pass_example(tmp_path):
    text = section("### Many pools in one pass, from Python")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    (tmp_path / "fixtures").symlink_to(REPO / "fixtures")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # The one pool without asn_candidate is named; the others are written.
    assert any("jw93060" in line and "asn_candidate" in line for line in lines)
    assert len(list((tmp_path / "out").iterdir())) == len(list((REPO / "fixtures/pools").glob("*.csv"))) - 1
    assert lines[-1].startswith("[(")
