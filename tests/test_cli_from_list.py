"""`asnsql from-list` and `asnsql.tools.fromlist`: jwst's asn_from_list cases, then ours."""

import json

import pytest
from click.testing import CliRunner

from asnsql.cli import main
from asnsql.errors import AssociationFileError, ToolWarning
from asnsql.tools.fromlist import asn_from_list
from toolcases import check_case, params


@pytest.mark.parametrize("name", params("from_list"))
def test_reference_case(name, tmp_path, monkeypatch):
    check_case("from_list", name, "from-list", tmp_path, monkeypatch)


def run(*args):
    return CliRunner().invoke(main, ["from-list", *map(str, args)])


def test_level3_direct_call():
    doc = asn_from_list(["a", "b", "c"], product_name="test_product")
    assert list(doc) == ["asn_type", "asn_rule", "version_id", "code_version", "degraded_status",
                         "program", "constraints", "asn_id", "target", "asn_pool", "products"]
    assert doc["asn_type"] == "None" and doc["asn_id"] == "a3001"
    assert [m["expname"] for m in doc["products"][0]["members"]] == ["a", "b", "c"]


def test_level2_names_products_after_files_without_suffix():
    doc = asn_from_list(["file_rate.fits", "file_rate_ref.fits"], rule="DMSLevel2bBase")
    assert [p["name"] for p in doc["products"]] == ["file", "file_rate_ref"]
    assert "target" not in doc


def test_rule_names_are_case_insensitive():
    assert asn_from_list(["a"], rule="asn_lv3image", product_name="p")["asn_rule"] == "Asn_Lv3Image"


def test_exptype_per_file_level3(tmp_path):
    out = tmp_path / "asn.json"
    result = run("-o", out, "--product-name", "p", "a_cal.fits", "b_cal.fits:psf",
                 "c_cal.fits:target_acquisition")
    assert result.exit_code == 0, result.output
    members = json.loads(out.read_text())["products"][0]["members"]
    assert [(m["expname"], m["exptype"]) for m in members] == [
        ("a_cal.fits", "science"), ("b_cal.fits", "psf"), ("c_cal.fits", "target_acquisition")]


def test_level2_attaches_backgrounds_and_imprints_to_each_science_product():
    doc = asn_from_list(["a_rate.fits", "bg_rate.fits:background", "b_rate.fits",
                         "imp_rate.fits:imprint"], rule="DMSLevel2bBase")
    assert [(p["name"], [(m["expname"], m["exptype"]) for m in p["members"]])
            for p in doc["products"]] == [
        ("a", [("a_rate.fits", "science"), ("bg_rate.fits", "background"),
               ("imp_rate.fits", "imprint")]),
        ("b", [("b_rate.fits", "science"), ("bg_rate.fits", "background"),
               ("imp_rate.fits", "imprint")]),
    ]


def test_background_member_makes_a_background_candidate_valid():
    with pytest.warns(ToolWarning, match="c1001: not written"):
        doc = asn_from_list(["a_rate.fits", "bg.fits:background"], rule="DMSLevel2bBase",
                            acid="c1001")
    assert doc["asn_id"] == "a3001"


def test_psf_member_makes_ami_valid():
    doc = asn_from_list(["a_cal.fits", "p_cal.fits:psf"], rule="Asn_Lv3AMI", product_name="p")
    assert doc["asn_rule"] == "Asn_Lv3AMI"


def test_ignored_id_and_product_name_warn_in_one_line(tmp_path):
    result = run("-o", tmp_path / "a.json", "-r", "DMSLevel2bBase", "-i", "o002",
                 "--product-name", "mine", "a_rate.fits")
    assert result.exit_code == 0
    warnings = result.stderr.splitlines()
    assert warnings == [
        "Warning: --product-name mine: ignored for Level 2, as asn_from_list does: each product "
        "is named after its science file",
        "Warning: -i o002: not written, as asn_from_list does: asn_id is a3001",
    ]


def test_unknown_exptype_warns():
    with pytest.warns(ToolWarning, match="backgroud"):
        asn_from_list(["a.fits", "b.fits:backgroud"], product_name="p")


@pytest.mark.parametrize("args, message", [
    (["a"], "Error: --product-name: a Level 3 association needs a product name"),
    (["-r", "Nope", "a"], "Error: -r Nope: no rule named Nope"),
    (["-f", "yaml", "--product-name", "p", "a"], "Error: -f yaml: only json is written"),
    (["--product-name", "p", "a:background"], "Error: a Level 3 association needs a science member"),
    (["-r", "DMSLevel2bBase", "-i", "x1", "a"], "Error: -i x1: a candidate id is oNNN"),
    (["-r", "Association", "a:psf"], "Error: -r Association: its members are bare names"),
])
def test_errors_write_nothing(args, message, tmp_path):
    out = tmp_path / "asn.json"
    result = run("-o", out, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_unwritable_output(tmp_path):
    result = run("-o", tmp_path / "no" / "such" / "asn.json", "--product-name", "p", "a")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path}/no/such/asn.json: cannot write")
    assert "Traceback" not in result.output


def test_direct_call_error_is_one_line():
    with pytest.raises(AssociationFileError, match="needs a product name"):
        asn_from_list(["a"])


def test_new_file_has_the_usual_mode(tmp_path):
    import os

    mask = os.umask(0o022)
    try:
        run("-o", tmp_path / "a.json", "--product-name", "p", "a")
    finally:
        os.umask(mask)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644
