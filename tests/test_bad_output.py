"""Issue 11's bad-input suite, output side: where files go, and what their names may be.

Every case goes through tests/badinput.py: non-zero exit, one ``Error:``
line naming the path, option or pool at fault, no traceback, and nothing
written.
"""

from pathlib import Path

import pytest

from asnsql.archive import unsafe_name
from badinput import files_under, refuses
from test_cli_generate import run

POOLS = Path(__file__).resolve().parent.parent / "fixtures" / "pools"
MIRI = POOLS / "pool_002_image_miri.csv"
MIRI_TEXT = MIRI.read_text()


def test_output_under_a_regular_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    refuses(["generate", MIRI, "-p", tmp_path / "afile" / "out"], names=["afile"])
    assert (tmp_path / "afile").read_text() == "x"


def test_output_is_a_regular_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    refuses(["generate", MIRI, "-p", tmp_path / "afile"], names=["afile"])


@pytest.mark.parametrize("where", ["/proc/asnsql-out", "/sys/asnsql-out"])
def test_output_where_no_file_can_be(where):
    refuses(["generate", MIRI, "-p", where], names=[where])


def test_output_folder_not_writable(tmp_path, monkeypatch):
    # Tests run as root, for whom permissions do not stop writes: refuse at the OS boundary.
    import os

    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(tmp_path) else real(p, mode))
    refuses(["generate", MIRI, "-p", tmp_path / "out"], names=[str(tmp_path)], out=tmp_path / "out")


def test_orphans_into_a_missing_folder(tmp_path):
    out = tmp_path / "out"
    refuses(["generate", MIRI, "-p", out, "--save-orphans", "nodir/left.csv"],
            names=["--save-orphans", "nodir"], out=out)


@pytest.mark.parametrize("name", [".", "..", "sub/"])
def test_orphans_naming_a_folder(tmp_path, name):
    out = tmp_path / "out"
    refuses(["generate", MIRI, "-p", out, "--save-orphans", name], names=["--save-orphans"], out=out)


def test_orphans_onto_an_existing_folder(tmp_path):
    out = tmp_path / "out"
    (out / "left.csv").mkdir(parents=True)
    refuses(["generate", MIRI, "-p", out, "--save-orphans", "left.csv"],
            names=["--save-orphans", "left.csv"], out=out, before=["left.csv"])


@pytest.mark.parametrize("name", ["/tmp/asnsql-orphans.csv", "../left.csv"])
def test_orphans_outside_the_output_folder(tmp_path, name):
    out = tmp_path / "out"
    refuses(["generate", MIRI, "-p", out, "--save-orphans", name], names=["--save-orphans"], out=out)
    assert not Path("/tmp/asnsql-orphans.csv").exists()


def test_orphans_need_plain_names_with_many_pools(tmp_path):
    out = tmp_path / "out"
    (tmp_path / "a.csv").write_text(MIRI_TEXT)
    (tmp_path / "b.csv").write_text(MIRI_TEXT)
    refuses(["generate", tmp_path / "a.csv", tmp_path / "b.csv", "-p", out,
             "--save-orphans", "sub/left.csv"], names=["--save-orphans"], out=out)


def test_orphans_that_cannot_be_made_leave_no_associations(tmp_path, monkeypatch):
    """All or nothing: when the orphans fail, not one association file lands either."""
    from asnsql import orphans

    def broken(*args, **kwargs):
        raise orphans.PoolError("pool_002_image_miri.csv: cannot re-read for orphans: broken")

    monkeypatch.setattr(orphans, "orphans_text", broken)
    out = tmp_path / "out"
    refuses(["generate", MIRI, "-p", out, "--save-orphans"], names=["pool_002_image_miri.csv"], out=out)


@pytest.mark.parametrize("version", ["a/b", "..", "x\\y", "v" * 240])
def test_version_id_that_cannot_be_in_a_file_name(tmp_path, version):
    out = tmp_path / "out"
    refuses(["generate", MIRI, "-p", out, "--version-id", version], names=["--version-id"], out=out)


def _pool_with(tmp_path, old: str, new: str) -> Path:
    assert old in MIRI_TEXT
    pool = tmp_path / "bad.csv"
    pool.write_text(MIRI_TEXT.replace(old, new))
    return pool


@pytest.mark.parametrize("old, new", [
    ("|99009|", "|9/../../x|"),            # PROGRAM with a path in it
    ("'o001'", "'o0/1'"),                    # a candidate id with a separator
    ("|99009|", "|" + "9" * 300 + "|"),      # a PROGRAM too long for a file name
])
def test_pool_values_that_cannot_be_in_a_file_name(tmp_path, old, new):
    out = tmp_path / "out"
    pool = _pool_with(tmp_path, old, new)
    refuses(["generate", pool, "-p", out], names=["bad.csv"], out=out)
    # Nothing written anywhere: the names never leave the output folder.
    assert not any(p.name.endswith("_asn.json") for p in tmp_path.rglob("*"))


def test_into_under_a_regular_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    refuses(["generate", MIRI, "--into", tmp_path / "afile" / "t.parquet"], names=["afile"])


# What must keep working.

def test_other_files_in_the_output_folder_survive(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert run("generate", MIRI, "-p", out, "--save-orphans").exit_code == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert len(files_under(out)) == 1 + 9 + 1
    assert not [p for p in files_under(out) if p.startswith(".asnsql")]


def test_orphans_into_an_existing_subfolder(tmp_path):
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    assert run("generate", MIRI, "-p", out, "--save-orphans", "sub/left.csv").exit_code == 0
    assert (out / "sub" / "left.csv").read_text().count("\n") >= 9


def test_a_bad_pool_in_a_batch_fails_alone(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(MIRI_TEXT)
    bad = _pool_with(tmp_path, "'o001'", "'o0/1'")
    out = tmp_path / "out"
    result = run("generate", good, bad, "-p", out, "--save-orphans")
    assert result.exit_code == 1
    assert [ln for ln in result.output.splitlines() if ln.startswith("Error:")][0].startswith(
        "Error: bad.csv:")
    assert len(files_under(out / "good")) == 10
    assert not (out / "bad").exists()


def test_unsafe_name_says_why():
    assert unsafe_name("jw1-o001_image2_00001_asn.json") is None
    assert "separator" in unsafe_name("jw1/x_asn.json")
    assert "'..'" in unsafe_name("jw..x_asn.json")
    assert "255" in unsafe_name("x" * 256)
