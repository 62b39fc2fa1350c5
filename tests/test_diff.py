"""Tests for asnsql.diff (and the pure report helpers of asnsql.conformance)."""

import copy
import json

import pytest

from asnsql.conformance import CaseResult, Xfail, load_xfails, write_report, xfail_reason
from asnsql.diff import DirDiff, compare_dirs, compare_documents, format_dirdiff

NAME = "jw99009-o001_image2_00001_asn.json"


def member(expname, exptype="science"):
    return {"expname": expname, "exptype": exptype, "exposerr": None}


@pytest.fixture
def doc():
    return {
        "asn_type": "image2",
        "asn_rule": "candidate_Asn_Lv2Image",
        "version_id": None,
        "code_version": "3.0.0",
        "program": "99009",
        "constraints": "DMSAttrConstraint(...)",
        "asn_id": "o001",
        "products": [
            {"name": "jw_00001", "members": [member("a_rate.fits"), member("b_rate.fits")]},
            {"name": "jw_00002", "members": [member("c_rate.fits")]},
        ],
    }


def write(directory, name, document):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(json.dumps(document, indent=4))


# compare_documents


def test_equal_documents(doc):
    assert compare_documents(doc, copy.deepcopy(doc)) == []


def test_constraints_and_code_version_are_ignored(doc):
    ours = copy.deepcopy(doc)
    ours["constraints"] = "something else"
    del ours["code_version"]
    assert compare_documents(doc, ours) == []


def test_ignored_keys_do_not_count_in_key_order(doc):
    ours = copy.deepcopy(doc)
    ours = {"constraints": ours.pop("constraints"), **ours}
    assert compare_documents(doc, ours) == []


def test_changed_expname(doc):
    ours = copy.deepcopy(doc)
    ours["products"][0]["members"][1]["expname"] = "b_cal.fits"
    assert compare_documents(doc, ours) == [
        "products[0].members[1].expname: 'b_rate.fits' != 'b_cal.fits'"
    ]


def test_scalar_types_are_strict(doc):
    ours = copy.deepcopy(doc)
    ours["program"] = 99009
    assert compare_documents(doc, ours) == ["program: '99009' != 99009"]


def test_reordered_members(doc):
    ours = copy.deepcopy(doc)
    ours["products"][0]["members"].reverse()
    assert compare_documents(doc, ours) == [
        "products[0].members: same 2 members in a different order: "
        "['a_rate.fits', 'b_rate.fits'] != ['b_rate.fits', 'a_rate.fits']"
    ]


def test_reordered_products(doc):
    ours = copy.deepcopy(doc)
    ours["products"].reverse()
    assert compare_documents(doc, ours) == [
        "products: same 2 products in a different order: "
        "['jw_00001', 'jw_00002'] != ['jw_00002', 'jw_00001']"
    ]


def test_extra_member(doc):
    ours = copy.deepcopy(doc)
    ours["products"][1]["members"].append(member("d_rate.fits"))
    assert compare_documents(doc, ours) == [
        "products[1].members: 1 != 2 members",
        "products[1].members: only in ours: ['d_rate.fits']",
    ]


def test_reordered_top_level_keys(doc):
    ours = copy.deepcopy(doc)
    ours = {"program": ours.pop("program"), **ours}
    (difference,) = compare_documents(doc, ours)
    assert difference.startswith("key order differs at top level: ['asn_type',")
    assert "!= ['program', 'asn_type'," in difference


def test_reordered_member_keys(doc):
    ours = copy.deepcopy(doc)
    ours["products"][1]["members"][0] = {"exptype": "science", "expname": "c_rate.fits", "exposerr": None}
    assert compare_documents(doc, ours) == [
        "key order differs at products[1].members[0]: "
        "['expname', 'exptype', 'exposerr'] != ['exptype', 'expname', 'exposerr']"
    ]


def test_missing_and_extra_keys(doc):
    ours = copy.deepcopy(doc)
    del ours["asn_id"]
    ours["products"][0]["extra"] = 1
    assert compare_documents(doc, ours) == [
        "top level: missing key 'asn_id' (reference: 'o001')",
        "products[0]: extra key 'extra' (ours: 1)",
    ]


def test_not_an_object():
    assert compare_documents({}, []) == ["top level: expected two JSON objects, got dict != list"]


# compare_dirs and format_dirdiff


def test_equal_dirs_ignore_other_files(tmp_path, doc):
    write(tmp_path / "ref", NAME, doc)
    write(tmp_path / "ours", NAME, doc)
    (tmp_path / "ours" / "jw99009_orphan.csv").write_text("a|b\n")
    d = compare_dirs(tmp_path / "ref", tmp_path / "ours")
    assert d == DirDiff(matched=[NAME])
    assert (d.n_ref, d.n_ours, d.ok) == (1, 1, True)
    assert format_dirdiff(d) == "matched 1 of 1 reference files; 0 missing, 0 extra, 0 different"


def test_missing_extra_and_different_files(tmp_path, doc):
    ours = copy.deepcopy(doc)
    ours["asn_id"] = "o002"
    write(tmp_path / "ref", "a_asn.json", doc)
    write(tmp_path / "ref", "b_asn.json", doc)
    write(tmp_path / "ref", "c_asn.json", doc)
    write(tmp_path / "ours", "a_asn.json", doc)
    write(tmp_path / "ours", "b_asn.json", ours)
    write(tmp_path / "ours", "d_asn.json", doc)
    d = compare_dirs(tmp_path / "ref", tmp_path / "ours")
    assert d == DirDiff(
        matched=["a_asn.json"],
        missing=["c_asn.json"],
        extra=["d_asn.json"],
        different={"b_asn.json": ["asn_id: 'o001' != 'o002'"]},
    )
    assert (d.n_ref, d.n_ours, d.ok) == (3, 3, False)
    assert format_dirdiff(d) == "\n".join(
        [
            "matched 1 of 3 reference files; 1 missing, 1 extra, 1 different",
            "missing (in reference, not in ours):",
            "  c_asn.json",
            "extra (in ours, not in reference):",
            "  d_asn.json",
            "different:",
            "  b_asn.json:",
            "    asn_id: 'o001' != 'o002'",
        ]
    )


def test_missing_our_dir_counts_as_empty(tmp_path, doc):
    write(tmp_path / "ref", NAME, doc)
    d = compare_dirs(tmp_path / "ref", tmp_path / "nowhere")
    assert d.missing == [NAME] and d.n_ours == 0


def test_missing_reference_dir_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        compare_dirs(tmp_path / "nowhere", tmp_path)


@pytest.mark.parametrize("side", ["ref", "ours"])
def test_bad_json_is_a_difference(tmp_path, doc, side):
    write(tmp_path / "ref", NAME, doc)
    write(tmp_path / "ours", NAME, doc)
    (tmp_path / side / NAME).write_text('{"asn_type": ')
    d = compare_dirs(tmp_path / "ref", tmp_path / "ours")
    (problem,) = d.different[NAME]
    assert problem.startswith(f"unreadable {'reference' if side == 'ref' else 'ours'}: {NAME}: ")


def test_duplicate_keys_are_a_difference(tmp_path, doc):
    write(tmp_path / "ref", NAME, doc)
    (tmp_path / "ours").mkdir()
    (tmp_path / "ours" / NAME).write_text('{"asn_type": "image2", "asn_type": "image3"}')
    d = compare_dirs(tmp_path / "ref", tmp_path / "ours")
    assert d.different[NAME] == [f"unreadable ours: {NAME}: duplicate key 'asn_type'"]


def test_format_truncates_long_differences():
    d = DirDiff(different={"x.json": [f"line {i}" for i in range(5)]})
    assert format_dirdiff(d, max_lines_per_file=2).splitlines()[-3:] == [
        "    line 0",
        "    line 1",
        "    ... and 3 more",
    ]


# conformance report helpers


def test_xfails(tmp_path):
    path = tmp_path / "xfail.toml"
    assert load_xfails(path) == []
    path.write_text('[[xfail]]\nmode = "*"\npool = "p1"\nreason = "slow"\n')
    xfails = load_xfails(path)
    assert xfails == [Xfail("*", "p1", "slow")]
    assert xfail_reason("discover", "p1", xfails) == "slow"
    assert xfail_reason("discover", "p2", xfails) is None
    path.write_text('[[xfail]]\nmode = "fast"\npool = "p1"\nreason = "x"\n')
    with pytest.raises(ValueError, match="unknown mode 'fast'"):
        load_xfails(path)


def test_write_report(tmp_path):
    results = [
        CaseResult("default", "p1", diff=DirDiff(matched=["a.json", "b.json"])),
        CaseResult("default", "p2", diff=DirDiff(matched=["a.json"], missing=["b.json"])),
        CaseResult("discover", "p1", error="exit 1: Error: boom"),
    ]
    out = tmp_path / "docs" / "conformance.md"
    write_report(results, out, xfails=[Xfail("default", "p2", "needs rule X")])
    text = out.read_text()
    assert "Generated by `python -m asnsql.conformance`" in text
    assert "| pool | default | discover |" in text
    assert "| p1 | 2/2/2 ✔ | error |" in text
    assert "| p2 | 1/2/1 (xfail) | — |" in text
    assert "| default | 1 of 2 | 3 of 4 |" in text
    assert "- `default` / `p2` (mismatch): needs rule X" in text
    assert "### discover / p1" in text and "exit 1: Error: boom" in text
