"""`asnsql gather` and `asnsql.tools.gather`: jwst's asn_gather cases, then ours."""

import json
import os
import shutil

import pytest
from click.testing import CliRunner

from asnsql.cli import main
from asnsql.errors import AssociationFileError
from asnsql.tools.gather import gather
from toolcases import INPUTS, check_case, params

SRC = INPUTS / "gather" / "src"


@pytest.mark.parametrize("name", params("gather"))
def test_reference_case(name, tmp_path, monkeypatch):
    result = check_case("gather", name, "gather", tmp_path, monkeypatch)
    if name == "folder_member":
        assert result.stderr.startswith("Warning: sub/deep.txt: has a folder part")


@pytest.fixture
def src(tmp_path):
    shutil.copytree(SRC, tmp_path / "src")
    return tmp_path / "src"


def run(*args):
    return CliRunner().invoke(main, ["gather", *map(str, args)])


def test_direct_call_makes_destination(src, tmp_path):
    written = gather(src / "primary_asn.json", tmp_path / "new" / "dest", exp_types=["science"])
    assert written == tmp_path / "new" / "dest" / "primary_asn.json"
    assert sorted(p.name for p in written.parent.iterdir()) == ["primary_asn.json", "sci_1.txt",
                                                                "sci_2.txt"]


def test_missing_member_named_before_anything_is_copied(src, tmp_path):
    result = run(src / "missing_asn.json", tmp_path / "dest")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {src}/gone.txt: member gone.txt of {src}/missing_asn.json not found\n"
    assert not (tmp_path / "dest").exists()


def test_beside_asn_takes_folder_members_from_source(src, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(src / "folder_asn.json", "dest", "--beside-asn")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dest" / "deep.txt").read_text() == "from src/sub\n"
    assert result.stderr == ""


def test_newer_destination_file_is_kept(src, tmp_path):
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "sci_1.txt").write_text("newer")
    old = (src / "sci_1.txt").stat().st_mtime - 100
    os.utime(src / "sci_1.txt", (old, old))
    gather(src / "primary_asn.json", dest)
    assert (dest / "sci_1.txt").read_text() == "newer"
    assert (dest / "sci_2.txt").read_text() == "sci_2.txt\n"


def test_nothing_left(src, tmp_path):
    result = run(src / "primary_asn.json", tmp_path / "dest", "-x", "science", "-x", "background",
                 "-x", "imprint")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {src}/primary_asn.json: nothing to gather: no member is of the types asked for"]


@pytest.mark.parametrize("text, message", [
    ("not json", "not JSON"),
    ('{"products": [{"members": [{"expname": "sci_1.txt", "exptype": "science"}]}]}',
     "products[0]: no name"),
    ('{"asn_type": "x"}', "not an association: no products"),
    ('{"products": [{"name": "p", "members": ["sci_1.txt"]}]}', "products[0].members[0]: not an object"),
])
def test_bad_associations(src, tmp_path, text, message):
    (src / "bad_asn.json").write_text(text)
    result = run(src / "bad_asn.json", tmp_path / "dest")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {src}/bad_asn.json: {message}")
    assert not (tmp_path / "dest").exists()


def test_missing_association(tmp_path):
    result = run(tmp_path / "nope.json", tmp_path / "dest")
    assert result.stderr == f"Error: {tmp_path}/nope.json: no such file\n"


def test_destination_is_a_file(src, tmp_path):
    (tmp_path / "dest").write_text("x")
    result = run(src / "primary_asn.json", tmp_path / "dest")
    assert result.exit_code == 2  # click: DEST must be a folder
    assert "Traceback" not in result.output


def test_written_association_is_level_neutral(src, tmp_path):
    written = gather(src / "level2_asn.json", tmp_path / "d")
    doc = json.loads(written.read_text())
    assert list(doc)[:4] == ["asn_type", "asn_rule", "version_id", "code_version"]
    assert doc["asn_type"] == "image2"


def test_direct_call_error():
    with pytest.raises(AssociationFileError, match="no such file"):
        gather(INPUTS / "nope.json", "/tmp/x")


def test_unwritable_destination(src, tmp_path):
    (tmp_path / "afile").write_text("x")
    dest = tmp_path / "afile" / "dest"
    result = run(src / "primary_asn.json", dest)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: {dest}: cannot copy into it: Not a directory"]


def test_shell_command_option_is_accepted_and_ignored(src, tmp_path):
    result = run(src / "primary_asn.json", tmp_path / "dest", "-c", "cp")
    assert result.exit_code == 0
    assert result.stderr == "Warning: -c cp: ignored; asnsql copies with Python\n"
    assert (tmp_path / "dest" / "sci_1.txt").exists()
