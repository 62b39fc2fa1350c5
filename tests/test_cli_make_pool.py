"""`asnsql make-pool` and `asnsql.tools.mkpool`: byte-identical to jwst's asn_make_pool."""

import pytest
from click.testing import CliRunner

from asnsql.cli import main
from asnsql.diff import compare_dirs
from asnsql.errors import AssociationFileError, ToolWarning
from asnsql.tools.mkpool import make_pool
from toolcases import INPUTS, TOOLS, check_case, load_case, params

NIRCAM = sorted((INPUTS / "fits" / "nircam_image").glob("*.fits"))


@pytest.mark.parametrize("name", params("make_pool"))
def test_reference_case(name, tmp_path, monkeypatch):
    check_case("make_pool", name, "make-pool", tmp_path, monkeypatch)


GENERATED = [n for n in (p.name for p in (TOOLS / "make_pool").iterdir())
             if (TOOLS / "make_pool" / n / "generate").is_dir()]


@pytest.mark.parametrize("name", GENERATED)
def test_generate_on_our_pool_gives_asn_generate_files(name, tmp_path, monkeypatch):
    """asnsql generate on our pool == asn_generate on asn_make_pool's pool."""
    check_case("make_pool", name, "make-pool", tmp_path, monkeypatch)
    case = load_case("make_pool", name)
    pool = tmp_path / case["cwd"] / case["args"][0]
    result = CliRunner().invoke(main, ["generate", str(pool), "-p", str(tmp_path / "gen")])
    assert result.exit_code == 0, result.output
    diff = compare_dirs(TOOLS / "make_pool" / name / "generate", tmp_path / "gen")
    assert diff.ok and diff.n_ref == case["generate_files"] > 0, diff


def test_direct_call_columns_and_targetid():
    table = make_pool(NIRCAM)
    assert table.colnames == sorted(table.colnames)
    # As asn_make_pool: the count of TARGNAMEs seen so far, so NGC-104 seen
    # again after M-31 gets M-31's number.
    assert table["targname"].tolist() == ["NGC-104", "NGC-104", "M-31", "M-31", "NGC-104"]
    assert table["targetid"].tolist() == ["1", "1", "2", "2", "2"]
    assert set(table["mostilno"]) == {"1"} and set(table["dithptin"]) == {"1"}
    assert table["xtrakey"].tolist() == ["null", "only here", "null", "only here", "null"]
    assert table["asn_candidate"][0] == "[('o001', 'observation')]"


def test_candidate_as_a_list_of_pairs():
    table = make_pool(NIRCAM[:1], asn_candidate=[("c1000", "background")])
    assert table["asn_candidate"][0] == "[('o001', 'observation'), ('c1000', 'background')]"


def test_candidate_text_without_brackets_warns(tmp_path):
    files = [str(p) for p in NIRCAM[:1]]
    result = CliRunner().invoke(main, ["make-pool", str(tmp_path / "p.csv"), *files,
                                       "--asn-candidate", "('c1000', 'background')"])
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "Warning: --asn-candidate ('c1000', 'background'): asn_make_pool drops its first character "
        "and writes [('oNNN', 'observation'), 'c1000', 'background'); give a list: "
        "\"[('c1000', 'background')]\""]
    with pytest.warns(ToolWarning):
        make_pool(files, asn_candidate="x")


def test_unwritable_output(tmp_path):
    out = tmp_path / "missing" / "pool.csv"
    result = CliRunner().invoke(main, ["make-pool", str(out), str(NIRCAM[0])])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"Error: {out}: cannot write: No such file or directory"]


def test_existing_pool_untouched_on_error(tmp_path):
    out = tmp_path / "pool.csv"
    out.write_text("old")
    result = CliRunner().invoke(main, ["make-pool", str(out), str(NIRCAM[0]), "nope.fits"])
    assert result.exit_code == 1
    assert result.stderr == "Error: nope.fits: no such file\n"
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["pool.csv"]


def test_direct_call_errors():
    with pytest.raises(AssociationFileError, match="no OBSERVTN"):
        make_pool([INPUTS / "fits" / "broken" / "no_observtn.fits"])
    with pytest.raises(AssociationFileError, match="not a FITS file"):
        make_pool([INPUTS / "fits" / "broken" / "not_fits.fits"])
