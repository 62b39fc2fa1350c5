"""`asnsql diff` on two association files, and `asnsql.diff.compare_files`."""

import json

from click.testing import CliRunner

from asnsql.cli import main
from asnsql.diff import compare_files


def _write(path, products):
    path.write_text(json.dumps({"asn_type": "image2", "code_version": str(path), "products": products}))
    return path


def _product(name, *expnames):
    return {"name": name, "members": [{"expname": e, "exptype": "science"} for e in expnames]}


def test_equal_files_ignore_code_version(tmp_path):
    a = _write(tmp_path / "a.json", [_product("p", "x.fits")])
    b = _write(tmp_path / "b.json", [_product("p", "x.fits")])
    result = CliRunner().invoke(main, ["diff", str(a), str(b)])
    assert result.exit_code == 0
    assert result.stdout == f"{a} and {b}: equal\n"


def test_duplicate_product_names_compare_by_position(tmp_path):
    # jwst's compare pairs products by name and breaks on repeats; we pair by position.
    a = _write(tmp_path / "a.json", [_product("p", "x.fits"), _product("p", "y.fits")])
    b = _write(tmp_path / "b.json", [_product("p", "x.fits"), _product("p", "z.fits")])
    assert compare_files(a, b) == ["products[1].members[0].expname: 'y.fits' != 'z.fits'"]
    result = CliRunner().invoke(main, ["diff", str(a), str(b)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{a} and {b}: 1 difference",
        "  products[1].members[0].expname: 'y.fits' != 'z.fits'",
    ]


def test_duplicate_names_swapped_are_an_order_difference(tmp_path):
    a = _write(tmp_path / "a.json", [_product("p", "x.fits"), _product("p", "y.fits")])
    b = _write(tmp_path / "b.json", [_product("p", "y.fits"), _product("p", "x.fits")])
    assert compare_files(a, b) == ["products: same 2 products in a different order: "
                                   "['p (x.fits)', 'p (y.fits)'] != ['p (y.fits)', 'p (x.fits)']"]


def test_unreadable_file_is_a_difference(tmp_path):
    a = _write(tmp_path / "a.json", [])
    (tmp_path / "b.json").write_text("{")
    assert compare_files(a, tmp_path / "b.json")[0].startswith("unreadable ours: b.json:")


def test_file_and_folder_is_a_usage_error(tmp_path):
    a = _write(tmp_path / "a.json", [])
    result = CliRunner().invoke(main, ["diff", str(a), str(tmp_path)])
    assert result.exit_code == 2 and "give two folders or two files" in result.output


def test_missing_file(tmp_path):
    result = CliRunner().invoke(main, ["diff", str(tmp_path / "x.json"), str(tmp_path / "y.json")])
    assert result.exit_code == 2 and "does not exist" in result.output
