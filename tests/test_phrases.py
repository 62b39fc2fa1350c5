"""The phrasebook: rule conditions in words."""

import pytest
import sqlglot

from asnsql.phrases import describe_values, words


@pytest.mark.parametrize(
    ("sql", "said"),
    [
        ("list_contains(image2_science_exp_types(), exp_type)",
         "exposure type is a Stage 2 imaging science type"),
        ("NOT list_contains(spec2_science_exp_types(), exp_type)",
         "exposure type is not a Stage 2 spectroscopic science type"),
        ("NOT is_wfsc(visitype)", "not a wavefront-sensing and control visit"),
        ("nrsfss_valid_detector(fxd_slit, grating, filter, detector)",
         "its slit, grating and filter reach its detector"),
        ("bkgdtarg IS NULL", "bkgdtarg is not set"),
        ("coalesce(bkgdtarg, is_psf) IS NOT NULL", "bkgdtarg or is_psf is set"),
        ("item_exptype = 'target_acquisition'", "member type = 'target_acquisition'"),
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


def test_the_phrasebook_speaks_only_of_macros_the_rules_call():
    """An entry for a macro no rule (nor stage base) calls is dead: it drifts unseen."""
    import re

    from asnsql.phrases import LIST_PHRASES, MACRO_PHRASES
    from asnsql.sqlfiles import sql_root

    called = set()
    for folder in ("level2", "level3", "bases"):
        for path in (sql_root() / folder).glob("*.sql"):
            called |= set(re.findall(r"\b([a-z_0-9]+)\(", path.read_text()))
    unused = sorted((set(LIST_PHRASES) | set(MACRO_PHRASES)) - called)
    assert unused == []
