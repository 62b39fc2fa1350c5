"""The phrasebook: rule conditions in words."""

import pytest
import sqlglot

from asnsql.phrases import describe_values, words


@pytest.mark.parametrize(
    ("sql", "said"),
    [
        ("list_contains(image2_science_exp_types(), exp_type)",
         "exposure type is a Stage 2 imaging science type"),
        ("NOT list_contains(acq_exp_types(), exp_type)",
         "exposure type is not a target acquisition type"),
        ("NOT is_tso(pntgtype, tsovisit, exp_type)", "not a time-series (TSO) exposure"),
        ("bkgdtarg IS NULL", "bkgdtarg is not set"),
        ("coalesce(bkgdtarg, is_psf) IS NOT NULL", "bkgdtarg or is_psf is set"),
        ("exposure_type(pntgtype, exp_type, is_psf, is_imprt, bkgdtarg) = 'target_acquisition'",
         "member type = 'target_acquisition'"),
        ("registry = 'candidate' AND cand_type = 'mosaic'",
         "registry = 'candidate' and cand_type = 'mosaic'"),
        ("NOT (a = 1 OR b = 2)", "not (a = 1 or b = 2)"),
        ("exp_type IN ('nrc_image', 'mir_image')", "exp_type IN ('nrc_image', 'mir_image')"),
    ],
)
def test_words(sql, said):
    assert words(sqlglot.parse_one(sql, dialect="duckdb")) == said


def test_values_show_set_ones_then_unset_ones():
    assert describe_values({"exp_type": "mir_image", "bkgdtarg": None, "n": 3, "is_psf": None}) == (
        "exp_type = 'mir_image'; n = 3; bkgdtarg, is_psf not set"
    )
