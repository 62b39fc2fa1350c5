"""`asnsql validate` and `asnsql.load_asn`: jwst's test_validate and load cases, then ours."""

import io
import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

import asnsql
from asnsql.cli import main
from asnsql.errors import AssociationFileError, ToolWarning
from asnsql.tools.load import schema_problems
from toolcases import INPUTS

ASN = INPUTS / "asn"
REFERENCE = Path(__file__).resolve().parent.parent / "fixtures" / "reference" / "default"
GOOD = [ASN / "asn_level2.json", ASN / "asn_mosaic.json", ASN / "test_image_asn.json"]


def run(*args):
    return CliRunner().invoke(main, ["validate", *map(str, args)])


def test_jwst_test_files_are_valid():
    result = run(*GOOD, ASN / "asn_level2_bad_path.json")
    assert result.exit_code == 0, result.output
    assert result.stdout == "4 valid association files\n"


def test_every_generated_golden_is_valid():
    files = sorted(REFERENCE.glob("pool_00*/*.json"))
    assert len(files) > 50
    result = run(*files)
    assert result.exit_code == 0, result.output


def test_empty_document_is_invalid(tmp_path):
    # jwst's test_invalid: an empty document does not validate.
    (tmp_path / "empty.json").write_text("{}")
    result = run(tmp_path / "empty.json")
    assert result.exit_code == 1
    assert result.stdout == f"{tmp_path}/empty.json: missing products\n"


def _doc(**fields):
    doc = {"asn_rule": "DMS_Level3_Base", "asn_id": "a3001", "target": "none",
           "products": [{"name": "mosaic", "members": [{"expname": "a.fits", "exptype": "science"}]}]}
    doc.update(fields)
    return doc


def test_problems_name_field_product_and_member():
    doc = _doc(products=[{"name": "p0", "members": []},
                         {"name": "mosaic", "members": [{"expname": "a.fits"}, {"exptype": 3}]}])
    assert schema_problems(doc) == [
        "products[1] (mosaic).members[0]: missing exptype",
        "products[1] (mosaic).members[1]: missing expname",
        "products[1] (mosaic).members[1].exptype: must be string, not 3",
    ]


def test_strict_holds_level3_rules_to_level3_schema():
    assert schema_problems(_doc(version_id=5)) == []  # as jwst: Level 2b accepts it
    assert schema_problems(_doc(version_id=5), strict=True) == [
        "version_id: must be string or null, not 5"]
    assert schema_problems(_doc(asn_rule="Asn_Lv2Image", version_id=5), strict=True) == []


def test_strict_option(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps(_doc(target=1)))
    assert run(path).exit_code == 0
    result = run("--strict", path)
    assert result.exit_code == 1 and result.stdout == f"{path}: target: must be string, not 1\n"


VERDICTS = json.loads((INPUTS.parent / "validate" / "verdicts.json").read_text())


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_same_verdict_as_jwst_load_asn(name):
    """jwst's load_asn verdict on each document; where jwst crashes, we say invalid."""
    case = VERDICTS[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            asnsql.load_asn(json.dumps(case["document"]))
            verdict = "valid"
        except AssociationFileError as err:
            assert "\n" not in str(err)
            verdict = "invalid"
    assert verdict == ("invalid" if case["verdict"].startswith("crash") else case["verdict"])
    assert any(issubclass(w.category, ToolWarning) for w in caught) == case["path_warning"]


def test_one_line_per_invalid_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_doc(asn_rule="Asn_Lv2Image", products=[{"members": [{"expname": "a"}]}],
                                   program=1)))
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    result = run(ASN / "asn_level2.json", bad, broken, tmp_path / "missing.json")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{bad}: products[0].members[0]: missing exptype; program: must be string, not 1",
        f"{broken}: not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        f"{tmp_path}/missing.json: no such file",
    ]


def test_check_files(tmp_path):
    asn = tmp_path / "asn.json"
    asn.write_text(json.dumps(_doc()))
    result = run("--check-files", asn)
    assert result.exit_code == 1
    assert result.stdout == f"{asn}: products[0] (mosaic).members[0]: a.fits not found beside the association\n"
    (tmp_path / "a.fits").write_text("")
    assert run("--check-files", asn).exit_code == 0


def test_load_asn_path_file_and_text():
    by_path = asnsql.load_asn(ASN / "asn_level2.json")
    with open(ASN / "asn_level2.json") as fp:
        assert asnsql.load_asn(fp) == by_path
    assert asnsql.load_asn((ASN / "asn_level2.json").read_text()) == by_path
    assert asnsql.load_asn(io.StringIO(json.dumps(by_path))) == by_path
    assert list(by_path) == ["asn_rule", "asn_pool", "program", "asn_type", "products"]


def test_load_asn_warns_on_path_information():
    with pytest.warns(ToolWarning, match="contains path information"):
        doc = asnsql.load_asn(ASN / "asn_level2_bad_path.json")
    assert doc["products"][0]["members"][0]["expname"] == "./data/test_lrs1_rate.fits"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        asnsql.load_asn(ASN / "asn_level2_bad_path.json", validate=False)


def test_load_asn_errors():
    with pytest.raises(AssociationFileError, match="not a valid association: missing products"):
        asnsql.load_asn("{}")
    assert asnsql.load_asn("{}", validate=False) == {}
    with pytest.raises(AssociationFileError, match="nope.json: no such file"):
        asnsql.load_asn("nope.json")
    with pytest.raises(AssociationFileError, match="not JSON"):
        asnsql.load_asn(io.StringIO("{,}"))
