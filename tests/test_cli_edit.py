"""`asnsql edit` and `asnsql.tools.edit`: jwst's asn_edit cases, then ours."""

import json
import shutil

import pytest
from click.testing import CliRunner

from asnsql.cli import main
from asnsql.errors import AssociationFileError
from asnsql.tools.edit import add_members, edit_file, remove_members
from asnsql.tools.load import read_asn
from toolcases import INPUTS, check_case, params

LEVEL2 = INPUTS / "asn" / "asn_level2.json"


@pytest.mark.parametrize("name", params("edit"))
def test_reference_case(name, tmp_path, monkeypatch):
    check_case("edit", name, "edit", tmp_path, monkeypatch)


@pytest.fixture
def asn(tmp_path):
    path = tmp_path / "asn_level2.json"
    shutil.copyfile(LEVEL2, path)
    return path


def run(*args):
    return CliRunner().invoke(main, ["edit", *map(str, args)])


def test_add_reaches_every_product():
    doc = add_members(read_asn(LEVEL2), ["test_lrs5_rate.fits"], "science")
    assert len(doc["products"]) == 6
    assert all(p["members"][-1] == {"expname": "test_lrs5_rate.fits", "exptype": "science"}
               for p in doc["products"])


@pytest.mark.parametrize("ignore", [False, True])
def test_remove_drops_emptied_product(ignore):
    doc, not_found = remove_members(read_asn(LEVEL2), ["test_lrs1_rate.fits"], ignore)
    assert len(doc["products"]) == 5 and not_found == []


def test_dry_run_prints_member_diff_and_writes_nothing(asn):
    before = asn.read_bytes()
    result = run(asn, "-r", "-i", "test_lrs3bkg_cal.fits", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "product test_lrs3bkg_rate (dropped: no members left)",
        "-   test_lrs3bkg_rate.fits (science)",
        "product test_lrs3_rate",
        "-   test_lrs3bkg_rate.fits (background)",
    ]
    assert asn.read_bytes() == before


def test_dry_run_add(asn):
    result = run(asn, "-a", "-t", "background", "bg.fits", "--dry-run")
    assert result.stdout.splitlines()[:2] == ["product test_lrs1_rate", "+   bg.fits (background)"]


def test_dry_run_nothing_matched(asn):
    result = run(asn, "-r", "nope.fits", "--dry-run")
    assert result.stdout == "no change\n"
    assert result.stderr.startswith(f"Warning: {asn}: not found: nope.fits")


def test_ignored_options_warn(asn):
    result = run(asn, "-a", "-i", "x.fits")
    assert result.stderr == "Warning: -i/--ignore: applies to -r/--remove only; ignored\n"
    result = run(asn, "-r", "-t", "background", "x.fits")
    assert "Warning: -t/--type: applies to -a/--add only; ignored" in result.stderr


def test_duplicate_product_names_in_dry_run(tmp_path):
    path = tmp_path / "dup_asn.json"
    members = [{"expname": "a.fits", "exptype": "science"}]
    path.write_text(json.dumps({"products": [{"name": "p", "members": members},
                                             {"name": "p", "members": [*members, {"expname": "b.fits", "exptype": "science"}]}]}))
    _, changes = edit_file(path, ["b.fits"], remove=True, dry_run=True)
    assert changes == ["product p", "-   b.fits (science)"]


@pytest.mark.parametrize("args, message", [
    (["-a", "-r"], "give one of -a/--add and -r/--remove"),
    ([], "give one of -a/--add and -r/--remove"),
    (["-a", "-o", "out.txt"], "out.txt: an association file's name ends in .json"),
])
def test_option_errors_leave_input_untouched(asn, args, message, tmp_path):
    before = asn.read_bytes()
    result = run(asn, "x.fits", *args)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: {message}"]
    assert asn.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [asn.name]


@pytest.mark.parametrize("text, message", [
    ("{not json", "not JSON"),
    ("[1, 2]", "not an association: the JSON is a list"),
    ('{"products": 3}', "not an association: no products with members"),
    ('{"products": [{"members": ["a.fits"]}]}', "not an association: no products with members"),
])
def test_bad_input_files(tmp_path, text, message):
    path = tmp_path / "bad_asn.json"
    path.write_text(text)
    result = run(path, "-a", "x.fits")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: {message}")
    assert len(result.stderr.splitlines()) == 1
    assert path.read_text() == text


def test_missing_file():
    result = run("nope_asn.json", "-a", "x.fits")
    assert result.stderr == "Error: nope_asn.json: no such file\n"


def test_unwritable_output_leaves_input(asn, tmp_path):
    before = asn.read_bytes()
    out = tmp_path / "no" / "out.json"
    result = run(asn, "-a", "x.fits", "-o", out)
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: {out}: cannot write")
    assert asn.read_bytes() == before


def test_direct_call_error():
    with pytest.raises(AssociationFileError, match="ends in .json"):
        edit_file(INPUTS / "asn" / "nope.txt", ["a"], add=True)


def test_written_file_keeps_its_mode(asn):
    asn.chmod(0o640)
    run(asn, "-a", "x.fits")
    assert asn.stat().st_mode & 0o777 == 0o640
