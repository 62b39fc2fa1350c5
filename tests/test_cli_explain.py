"""`asnsql explain` through click's CliRunner: why an exposure joined a rule or not."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from asnsql.cli import main

POOLS = Path(__file__).resolve().parent.parent / "fixtures" / "pools"
MIRI = str(POOLS / "pool_002_image_miri.csv")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def miri():
    result = run("explain", MIRI, "jw_00001_uncal.fits")
    assert result.exit_code == 0, result.output
    return result.output


def block(text, rule):
    """The lines about one rule: its own line and the indented ones below it."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {rule}:"))
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"  \S", lines[i])), len(lines))
    return "\n".join(lines[start:end])


def test_heading_names_the_row_candidates_and_passes(miri):
    assert miri.splitlines()[:3] == [
        "jw_00001_uncal.fits: row 0 of pool_002_image_miri.csv",
        "  candidates: o001 (observation)",
        "  passes: candidate o001, discovery",
    ]


def test_lists_the_associations_it_joined(miri):
    assert "Joined 2 associations:" in miri
    assert re.search(r"jw99009-o001_image2_00008_asn\.json\s+candidate_Asn_Lv2Image\s+jw_00001\s+science", miri)
    assert re.search(r"jw99009-o001_image3_00001_asn\.json\s+candidate_Asn_Lv3Image\s+"
                     r"jw99009-o001_t001_miri_f560w\s+science", miri)


def test_exposure_type_condition_keeps_it_out_of_a_rule(miri):
    nonscience = block(miri, "Asn_Lv2ImageNonScience")
    assert nonscience.startswith("  Asn_Lv2ImageNonScience: not met: ")
    assert "exposure type is a Stage 2 non-science imaging type" in nonscience
    assert "exp_type = 'mir_image'" in nonscience
    assert re.search(r"\[asn_lv2imagenonscience\.sql:\d+\]", nonscience)


def test_rule_joined_in_one_pass_shows_only_the_other(miri):
    lv2 = block(miri, "Asn_Lv2Image")
    assert lv2.splitlines() == [
        "  Asn_Lv2Image:",
        "    discovery: its association is invalid: Stage 2 associations are kept only for "
        "observation candidates, not the discovery pass",
    ]


def test_pruned_duplicate_names_the_survivor(miri):
    assert block(miri, "Asn_Lv3Image").splitlines() == [
        "  Asn_Lv3Image:",
        "    discovery: pruned as a duplicate: jw99009-o001_image3_00001_asn.json has the same members",
    ]


def test_rule_validity_and_passes_that_differ(miri):
    assert block(miri, "Asn_Lv3ImageMosaic").splitlines() == [
        "  Asn_Lv3ImageMosaic:",
        "    candidate o001: its association is invalid: only mosaic candidates keep their "
        "association, and this one is an observation candidate",
        "    discovery: its association is invalid: only mosaic candidates keep their "
        "association, and this one is from the discovery pass",
    ]


RULE = """\
-- name = "{name}"
-- asn_type = "image2"
-- level = 2
-- shape = "single_science"
-- purpose = "A rule to test explain with."
SELECT
    run_id,
    _row,
    'science' AS role,
    'science' AS exptype,
    filename AS expname,
    [program] AS group_key,
    [tsovisit] AS optional_key
FROM items
WHERE program IS NOT NULL
{condition}
"""


def test_the_rule_files_comment_says_the_condition(tmp_path):
    above = tmp_path / "above.sql"
    above.write_text(RULE.format(
        name="Asn_Lv2Above",
        condition="    -- Backgrounds only: they are calibrated as science.\n    AND bkgdtarg IS NOT NULL",
    ))
    beside = tmp_path / "beside.sql"
    beside.write_text(RULE.format(
        name="Asn_Lv2Beside", condition="    AND instrume = 'nircam'  -- NIRCam only",
    ))
    result = run("explain", MIRI, "jw_00001_uncal.fits", "-r", above, "-r", beside)
    assert result.exit_code == 0, result.output
    assert block(result.output, "Asn_Lv2Above").splitlines() == [
        "  Asn_Lv2Above: not met: Backgrounds only: they are calibrated as science.",
        "      (bkgdtarg not set)  [above.sql:17]",
    ]
    assert block(result.output, "Asn_Lv2Beside").splitlines() == [
        "  Asn_Lv2Beside: not met: NIRCam only",
        "      (instrume = 'miri')  [beside.sql:16]",
    ]


def test_unset_values_are_named(miri):
    special = block(miri, "Asn_Lv2ImageSpecial")
    assert "not met: bkgdtarg or is_psf is set" in special
    assert "(bkgdtarg, is_psf not set)" in special


def test_spectrum_is_kept_out_of_imaging_by_its_exposure_type():
    result = run("explain", POOLS / "pool_006_spec_nirspec.csv", "jw_00001_uncal.fits")
    assert result.exit_code == 0, result.output
    lv2 = block(result.output, "Asn_Lv2Image")
    assert lv2.startswith("  Asn_Lv2Image: not met: exposure type is a Stage 2 imaging science type\n")
    assert re.search(r"\(exp_type = 'nrs_fixedslit'\)  \[asn_lv2image\.sql:\d+\]", lv2)
    # It is spectroscopy: the fixed-slit rules take it instead.
    assert "Joined 2 associations:" in result.output
    assert "candidate_Asn_Lv2NRSFSS  jw_00001 " in result.output
    assert "candidate_Asn_Lv3NRSFSS  jw99009-o001_t001-{source_id}_nirspec" in result.output


def test_target_acquisition_left_out_by_the_shape():
    result = run("explain", POOLS / "pool_013_coron_nircam.csv", "jw_00033_uncal.fits")
    assert result.exit_code == 0, result.output
    assert block(result.output, "Asn_Lv3Image") == (
        "  Asn_Lv3Image: a target acquisition joins only associations whose science shares"
        " its observation, and none did"
    )
    # Passes with the same outcome are told once.
    assert "    candidates c1010, c1012: its association is invalid" in result.output


def test_substring_candidates_are_pointed_out():
    result = run("explain", POOLS / "pool_010_spec_nirspec_lv2bkg.csv", "jw_00010_uncal.fits")
    assert "  passes: candidates 1000, o003, c1000, discovery" in result.output
    assert "(candidate 1000 sees it because the id is part of its asn_candidate text" in result.output


def test_rule_option_tells_only_about_those_rules():
    result = run("explain", POOLS / "pool_006_spec_nirspec.csv", "jw_00001_uncal.fits",
                 "--rule", "asn_lv2image", "--rule", "Asn_Lv3Image")
    assert result.exit_code == 0, result.output
    told = [line.split(":")[0].strip() for line in result.output.splitlines()
            if line.startswith("  Asn_")]
    assert told == ["Asn_Lv2Image", "Asn_Lv3Image"]
    bad = run("explain", MIRI, "jw_00001_uncal.fits", "--rule", "Asn_Lv2Imag")
    assert bad.exit_code == 1
    assert bad.output.startswith("Error: no rule named Asn_Lv2Imag; close matches: Asn_Lv2Image")


def test_file_name_matches_case_insensitively(miri):
    assert run("explain", MIRI, "JW_00001_UNCAL.FITS").output == miri


def test_mode_options_apply():
    result = run("explain", MIRI, "jw_00001_uncal.fits", "--all-candidates")
    assert "  passes: candidate o001\n" in result.output
    assert "discovery" not in result.output


def test_output_is_deterministic(miri):
    assert run("explain", MIRI, "jw_00001_uncal.fits").output == miri


def test_unknown_file_is_one_error_line_with_suggestions():
    result = run("explain", MIRI, "jw_00001_uncal")
    assert result.exit_code == 1
    assert result.output == (
        "Error: jw_00001_uncal: no exposure of that name in pool_002_image_miri.csv; "
        "did you mean jw_00001_uncal.fits, jw_00008_uncal.fits, jw_00007_uncal.fits?\n"
    )


def test_a_background_that_attaches_nowhere_names_the_key_that_differs(tmp_path):
    """A background of another filter meets Asn_Lv2Image's conditions, but no science
    shares its mode: explain names the key and both values."""
    lines = Path(MIRI).read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    columns = lines[header].split("|")
    rows = [line.split("|") for line in lines[header + 1:] if line and not line.startswith("#")]
    extra = dict(zip(columns, rows[0], strict=True))
    extra.update(FILENAME="jw_bkg_uncal.fits", FILTER="F770W")
    body = [lines[header] + "|BKGDTARG"] + ["|".join(r) + "|" for r in rows]
    body.append("|".join(extra[c] for c in columns) + "|t")
    pool = tmp_path / "pool_bkg.csv"
    pool.write_text("\n".join(lines[:header] + body) + "\n")
    result = run("explain", pool, "jw_bkg_uncal.fits")
    assert result.exit_code == 0, result.output
    said = block(result.output, "Asn_Lv2Image")
    assert "its association is invalid: it holds no science exposure;" in said
    assert ("the closest science, jw_00001_uncal.fits, differs in COALESCE(filter, band)"
            " ('f560w', not 'f770w')") in said
