"""Replay the reference's tool cases (fixtures/tools/<tool>/<case>/) through asnsql's CLI.

Each case folder holds ``case.json`` (the reference's arguments, the inputs
laid in its working folder, its exit status) and ``out/`` (every file the
reference wrote or changed). `replay` lays the same inputs in a scratch
folder, runs the asnsql command with the same arguments there and returns
what changed, for `check_case` to compare.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asnsql.cli import main
from asnsql.diff import compare_documents

REPO = Path(__file__).resolve().parent.parent
TOOLS = REPO / "fixtures" / "tools"
INPUTS = TOOLS / "inputs"

# Inputs are laid and outputs read exactly as the golden script does (it
# imports only the standard library at the top).
_spec = importlib.util.spec_from_file_location(
    "make_tool_goldens", REPO / "fixtures" / "scripts" / "make_tool_goldens.py")
_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_script)
lay, snapshot = _script.lay_inputs, _script.snapshot


def case_ids(tool: str) -> list[str]:
    return sorted(p.name for p in (TOOLS / tool).iterdir() if (p / "case.json").exists())


def params(tool: str):
    return [pytest.param(name, id=name) for name in case_ids(tool)]


def load_case(tool: str, name: str) -> dict:
    return json.loads((TOOLS / tool / name / "case.json").read_text())


def replay(tool: str, name: str, command: str, work: Path, monkeypatch, extra=()):
    """Run ``asnsql COMMAND <the case's args>`` in ``work``; return (case, result, before, after)."""
    case = load_case(tool, name)
    lay(work, case["lay"])
    if tool == "gather":
        (work / "dest").mkdir(exist_ok=True)
    before = snapshot(work)
    monkeypatch.chdir(work / case["cwd"])
    result = CliRunner().invoke(main, [command, *case["args"], *extra])
    return case, result, before, snapshot(work)


def check_case(tool: str, name: str, command: str, work: Path, monkeypatch):
    """Assert asnsql does what the reference did: same files, or a clean error."""
    case, result, before, after = replay(tool, name, command, work, monkeypatch)
    changed = sorted(k for k, v in after.items() if before.get(k) != v)
    if case["exit"] != 0:
        # The reference failed (often with a traceback or a 0-byte file):
        # one Error line, exit 1, nothing written or changed.
        assert result.exit_code == 1, result.output
        lines = [line for line in result.stderr.splitlines() if not line.startswith("Warning: ")]
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert "Traceback" not in result.output
        assert changed == [], changed
        return result
    assert result.exit_code == 0, result.output
    assert changed == case["written"]
    ref_out = TOOLS / tool / name / "out"
    for rel in changed:
        ours, ref = after[rel], (ref_out / rel).read_bytes()
        if rel.endswith(".json"):
            assert compare_documents(json.loads(ref), json.loads(ours)) == [], rel
            # Same text too: the reference's layout, our code_version.
            ref_doc = json.loads(ref)
            if "code_version" in ref_doc:
                ref_doc["code_version"] = json.loads(ours)["code_version"]
            assert ours.decode() == json.dumps(ref_doc, indent=4, separators=(",", ": ")), rel
        else:
            assert ours == ref, rel
    return result
