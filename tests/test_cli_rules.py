"""`asnsql rules` and `asnsql rules show` through click's CliRunner."""

from pathlib import Path

from click.testing import CliRunner

from asnsql.cli import main

ROOT = Path(__file__).resolve().parent.parent
LV2IMAGE = ROOT / "sql" / "level2" / "asn_lv2image.sql"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _rule_copy(tmp_path, name="Asn_Lv2MyImage"):
    text = LV2IMAGE.read_text().replace('name = "Asn_Lv2Image"', f'name = "{name}"')
    path = tmp_path / "my_rule.sql"
    path.write_text(text)
    return path


def test_lists_rules_as_an_aligned_table():
    result = run("rules")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["name", "level", "asn_type", "file", "purpose"]
    assert set(lines[1]) == {"-", " "}
    row = next(line for line in lines if line.startswith("Asn_Lv2Image "))
    assert row.split(None, 4) == [
        "Asn_Lv2Image", "2", "image2", "sql/level2/asn_lv2image.sql",
        "Calibrate each science image on its own, with the backgrounds taken in the same mode.",
    ]
    # Columns line up: each file column starts where its header does.
    at = lines[0].index("file")
    assert all(line[at:at + 4] == "sql/" for line in lines[2:])


def test_rules_come_in_the_order_they_are_offered_exposures():
    lines = run("rules").output.splitlines()[2:]
    keys = [(int(line.split()[1]), line.split()[0]) for line in lines]
    assert keys == sorted(keys)
    assert {"Asn_Lv2Image", "Asn_Lv3Image", "Asn_Lv3ImageMosaic"} <= {k[1] for k in keys}


def test_show_prints_the_rule_file():
    result = run("rules", "show", "Asn_Lv2Image")
    assert result.exit_code == 0, result.output
    assert result.output == LV2IMAGE.read_text().rstrip("\n") + "\n"


def test_show_takes_any_case_and_the_written_asn_rule():
    expected = run("rules", "show", "Asn_Lv2Image").output
    assert run("rules", "show", "asn_lv2image").output == expected
    assert run("rules", "show", "candidate_Asn_Lv2Image").output == expected


def test_unknown_rule_is_one_error_line_with_close_matches():
    result = run("rules", "show", "Asn_Lv2Imag")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no rule named Asn_Lv2Imag; close matches: Asn_Lv2Image")
    assert result.output.count("\n") == 1


def test_extra_rules_are_listed_and_shown(tmp_path):
    path = _rule_copy(tmp_path)
    listed = run("rules", "-r", path)
    assert any(line.startswith("Asn_Lv2MyImage ") and str(path) in line
               for line in listed.output.splitlines())
    assert "Asn_Lv3Image " in listed.output
    shown = run("rules", "show", "Asn_Lv2MyImage", "-r", path)
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith('-- name = "Asn_Lv2MyImage"\n')


def test_ignore_default_lists_only_the_given_rules(tmp_path):
    path = _rule_copy(tmp_path)
    lines = run("rules", "--ignore-default", "-r", path).output.splitlines()
    assert len(lines) == 3 and lines[2].startswith("Asn_Lv2MyImage ")


def test_ignore_default_without_rules_is_one_error_line():
    result = run("rules", "--ignore-default")
    assert result.exit_code == 1
    assert result.output == "Error: no rules: --ignore-default needs at least one -r/--rules\n"


def test_help_has_an_example():
    assert "Example:" in run("rules", "--help").output
    assert "asnsql rules show Asn_Lv2Image" in run("rules", "show", "--help").output
