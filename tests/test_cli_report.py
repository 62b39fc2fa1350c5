"""`asnsql report` through click's CliRunner."""

from pathlib import Path

from click.testing import CliRunner
from htmltree import parse

from asnsql.cli import generate, main
from asnsql.cli_report import GENERATION_OPTIONS

POOLS = Path(__file__).resolve().parent.parent / "fixtures" / "pools"
MIRI = POOLS / "pool_002_image_miri.csv"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def card_names(path):
    return [el.find("h5").text().split(". ", 1)[1]
            for el in parse(path.read_text()).find_all("article", class_="card")]


def test_writes_the_page_and_says_so(tmp_path):
    out = tmp_path / "report.html"
    result = run("report", MIRI, "-o", out)
    assert result.exit_code == 0, result.output
    size = out.stat().st_size // 1024
    assert result.output == (f"wrote {out}: pool_002_image_miri.csv, 9 associations, 0 orphans, "
                             f"{size} KiB\n")
    assert len(card_names(out)) == 9


def test_takes_the_generation_options_of_generate(tmp_path):
    command = main.commands["report"]
    mine = {p.name: p for p in command.params}
    theirs = {p.name: p for p in generate.params}
    assert all(mine[name] is theirs[name] for name in GENERATION_OPTIONS)
    assert type(command) is type(generate)
    out = tmp_path / "r.html"
    result = run("report", MIRI, "-o", out, "--all-candidates", "--version-id", "v1")
    assert result.exit_code == 0, result.output
    names = card_names(out)
    assert names and all("_v1_" in name or name.endswith("_v1_asn.json") for name in names)
    assert "with <code>--all-candidates --version-id v1</code>" in out.read_text()


def test_ids_take_several_words_as_in_generate(tmp_path):
    out = tmp_path / "r.html"
    result = run("report", POOLS / "pool_013_coron_nircam.csv", "-o", out, "-i", "o001", "o002",
                 "--no-reasons")
    assert result.exit_code == 0, result.output
    names = card_names(out)
    assert names and {name.split("_")[0].split("-")[1] for name in names} <= {"o001", "o002"}


def test_unknown_id_is_a_warning(tmp_path):
    result = run("report", MIRI, "-o", tmp_path / "r.html", "-i", "o404")
    assert result.exit_code == 0
    assert "Warning: candidate id o404 not found in pool pool_002_image_miri.csv" in result.output


def test_a_folder_gives_a_section_per_pool(tmp_path):
    folder = tmp_path / "pools"
    folder.mkdir()
    for name in ("pool_002_image_miri.csv", "pool_003_image_nircam.csv"):
        (folder / name).write_text((POOLS / name).read_text())
    out = tmp_path / "r.html"
    result = run("report", folder, "-o", out, "--no-reasons")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {out}: 2 pools, ")
    assert len(parse(out.read_text()).find_all("section", class_="pool")) == 2


def test_missing_pool_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "r.html"
    result = run("report", tmp_path / "missing.csv", "-o", out)
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'missing.csv'}: no such file\n"
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_modes_exclude_each_other(tmp_path):
    result = run("report", MIRI, "-o", tmp_path / "r.html", "--discover", "--all-candidates")
    assert result.exit_code == 2
    assert "exclude each other" in result.output


def test_output_is_required():
    result = run("report", MIRI)
    assert result.exit_code == 2 and "Missing option '-o' / '--output'" in result.output


def test_help_has_an_example():
    result = run("report", "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output and "asnsql report fixtures/pools/" in result.output
