"""`asnsql generate` through click's CliRunner, on fixture pools."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from asnsql.cli import main

POOLS = Path(__file__).resolve().parent.parent / "fixtures" / "pools"
MIRI = str(POOLS / "pool_002_image_miri.csv")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_generate_writes_reference_names(tmp_path):
    result = run("generate", MIRI, "-p", tmp_path)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"jw99009-o001_image2_{n:05d}_asn.json" for n in range(1, 9)] + [
        "jw99009-o001_image3_00001_asn.json"
    ]


def test_documents_are_written_as_the_reference_writes_them(tmp_path):
    run("generate", MIRI, "-p", tmp_path)
    text = (tmp_path / "jw99009-o001_image3_00001_asn.json").read_text()
    assert text.startswith('{\n    "asn_type": "image3",\n    "asn_rule": "candidate_Asn_Lv3Image",')
    assert not text.endswith("\n")
    doc = json.loads(text)
    assert doc["products"][0]["name"] == "jw99009-o001_t001_miri_f560w"
    assert doc["constraints"].startswith("rule Asn_Lv3Image (level3/asn_lv3image.sql)")


def test_output_is_deterministic(tmp_path):
    for name in ("a", "b"):
        assert run("generate", MIRI, "-p", tmp_path / name, "--save-orphans").exit_code == 0
    written = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(written) == 10  # nine associations and the orphans
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == written
    for name in written:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_dry_run_writes_nothing(tmp_path):
    result = run("generate", MIRI, "-p", tmp_path, "--dry-run", "-v")
    assert result.exit_code == 0
    assert "9 associations from 8 rows of pool_002_image_miri.csv (dry run" in result.output
    assert list(tmp_path.iterdir()) == []


def test_version_id_tags_names(tmp_path):
    run("generate", MIRI, "-p", tmp_path, "--version-id", "v1")
    name = "jw99009-o001_v1_image3_00001_asn.json"
    assert json.loads((tmp_path / name).read_text())["version_id"] == "v1"


def test_version_id_without_value_stamps_the_time(tmp_path):
    result = run("generate", MIRI, "-p", tmp_path, "--version-id")
    assert result.exit_code == 0, result.output
    stamps = {p.name.split("_")[1] for p in tmp_path.iterdir()}
    assert len(stamps) == 1
    (stamp,) = stamps
    assert len(stamp) == 15 and stamp[8] == "t"


def test_ids_select_candidates_and_warn_on_unknown(tmp_path):
    pool = str(POOLS / "pool_001_candidates.csv")
    result = run("generate", pool, "-p", tmp_path, "-i", "o001", "-i", "o999")
    assert result.exit_code == 0, result.output
    assert "candidate id o999 not found in pool" in result.output
    assert {p.name.split("_")[0].split("-")[1] for p in tmp_path.iterdir()} == {"o001"}


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.csv", "missing.csv"),
        (lambda d: d, "directory"),
    ],
)
def test_unreadable_pool_is_one_line(tmp_path, make, message):
    out = tmp_path / "out"
    result = run("generate", make(tmp_path), "-p", out)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert message in lines[0]
    assert not out.exists() or list(out.iterdir()) == []


def test_binary_file_is_not_a_pool(tmp_path):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 4)
    result = run("generate", junk, "-p", tmp_path / "out")
    assert result.exit_code != 0
    assert result.output.startswith("Error: ") and "junk.csv" in result.output
    assert result.output.count("\n") == 1


def test_pool_without_candidates_column(tmp_path):
    pool = tmp_path / "p.csv"
    pool.write_text("filename|exp_type\njw_1_uncal.fits|mir_image\n")
    result = run("generate", pool, "-p", tmp_path / "out")
    assert result.exit_code != 0
    assert result.output == (
        "Error: p.csv: pool has no column(s) 'asn_candidate', 'instrume', 'program', 'targetid'"
        " needed by the rules\n"
    )
    assert not (tmp_path / "out").exists()


def test_modes_exclude_each_other(tmp_path):
    result = run("generate", MIRI, "--discover", "--all-candidates")
    assert result.exit_code == 2
    assert "exclude each other" in result.output


def test_save_orphans_writes_every_row_like_the_reference(tmp_path):
    result = run("generate", MIRI, "-p", tmp_path, "--save-orphans")
    assert result.exit_code == 0, result.output
    lines = [ln for ln in (tmp_path / "orphaned.csv").read_text().splitlines()
             if not ln.startswith("#")]
    assert len(lines) == 1 + 8  # header and every row, as jwst writes them
    # The orphan pool reads back as a pool.
    again = run("generate", tmp_path / "orphaned.csv", "-p", tmp_path / "again")
    assert again.exit_code == 0, again.output


def _pool_rows(path):
    """The data rows of a written pool, header first, comment lines left out."""
    return [ln for ln in path.read_text().splitlines() if not ln.startswith("#")]


def test_true_orphans_are_only_rows_left_out(tmp_path):
    # pool_007 leaves its 25 MIRI MRS flats out of every association, and takes the rest.
    pool = POOLS / "pool_007_spec_miri.csv"
    every = run("generate", pool, "-p", tmp_path / "every", "--save-orphans", "left.csv")
    true = run("generate", pool, "-p", tmp_path / "true", "--save-orphans", "left.csv",
               "--true-orphans")
    assert every.exit_code == 0 and true.exit_code == 0, every.output + true.output
    all_rows = _pool_rows(tmp_path / "every" / "left.csv")
    left = _pool_rows(tmp_path / "true" / "left.csv")
    assert left[0] == all_rows[0]
    assert set(left[1:]) < set(all_rows[1:])
    exp_type = all_rows[0].split("|").index("exp_type")
    assert {row.split("|")[exp_type] for row in left[1:]} == {"mir_flatmrs"}
    assert len(left) - 1 == 25


def test_true_orphans_needs_save_orphans():
    result = run("generate", MIRI, "--true-orphans")
    assert result.exit_code == 2
    assert "--true-orphans goes with --save-orphans" in result.output


def test_ids_take_several_words(tmp_path):
    pool = str(POOLS / "pool_001_candidates.csv")
    result = run("generate", pool, "-p", tmp_path, "-i", "o001", "o002", "-v")
    assert result.exit_code == 0, result.output
    assert {p.name.split("_")[0].split("-")[1] for p in tmp_path.iterdir()} == {"o001", "o002"}


def test_merge_joins_stage2_products(tmp_path):
    result = run("generate", MIRI, "-p", tmp_path, "--merge")
    assert result.exit_code == 0, result.output
    import json

    doc = json.loads((tmp_path / "jw99009-o001_image2_00001_asn.json").read_text())
    assert [p["name"] for p in doc["products"]] == [f"jw_{n:05d}" for n in range(8, 0, -1)]


def test_bad_rule_file_is_one_line(tmp_path):
    rule = tmp_path / "bad.sql"
    rule.write_text("SELECT 1")
    result = run("generate", MIRI, "-p", tmp_path / "out", "-r", rule)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "bad.sql" in result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize("raised, aborted", [
    (RuntimeError("Query interrupted"), True),   # Ctrl-C while DuckDB runs, as DuckDB says it
    (KeyboardInterrupt(), True),                 # Ctrl-C anywhere else
    (RuntimeError("something else"), False),     # a bug: not dressed up as an interrupt
])
def test_ctrl_c_is_aborted_without_a_traceback(tmp_path, monkeypatch, raised, aborted):
    import asnsql.cli_generate

    def interrupted(*args, **kwargs):
        raise raised

    monkeypatch.setattr(asnsql.cli_generate, "run_generate", interrupted)
    result = run("generate", MIRI, "-p", tmp_path)
    assert result.exit_code == 1
    if aborted:
        assert result.output.strip() == "Aborted!" and not isinstance(result.exception, RuntimeError)
    else:
        assert isinstance(result.exception, RuntimeError)
