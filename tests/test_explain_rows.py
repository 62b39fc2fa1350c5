"""asnsql.explain.explain_rows: many rows at once say what explain says of each, and how close
each rule came (Outcome.met, Outcome.made)."""

from pathlib import Path

import pytest

import asnsql
from asnsql.explain import explain, explain_rows

POOLS = Path(__file__).resolve().parent.parent / "fixtures" / "pools"


@pytest.fixture(scope="module")
def miri_spec():
    return asnsql.generate(POOLS / "pool_007_spec_miri.csv")


def test_many_rows_at_once_say_what_explain_says_of_each(miri_spec):
    con = miri_spec.con
    orphans = con.execute("SELECT _row FROM orphans ORDER BY _row LIMIT 2").fetchall()
    members = con.execute("SELECT DISTINCT _row FROM members WHERE _row IS NOT NULL"
                          " ORDER BY _row LIMIT 2").fetchall()
    rows = [r for (r,) in orphans + members]
    together = explain_rows(miri_spec, rows + [10_000])  # an unknown row is left out
    assert [e.row for e in together] == sorted(rows)
    for one in together:
        (alone,) = explain(miri_spec, one.filename)  # one row: judged alone, query by query
        assert one == alone


def test_met_counts_the_conditions_held_before_the_failing_one(miri_spec):
    (e,) = explain(miri_spec, "jw_00001_uncal.fits")
    by_rule = {(o.rule, o.pass_label): o for o in e.outcomes}
    fss = by_rule["Asn_Lv2NRSFSS", "discovery"]
    assert fss.reason == "not met: exp_type = 'nrs_fixedslit'" and fss.met == 0 and not fss.made
    imprint = by_rule["Asn_Lv2SpecImprint", "discovery"]  # a spectrum, but not an imprint
    assert imprint.reason == "not met: is_imprt is set" and imprint.met > 0
    made = [o for o in e.outcomes if o.made]
    assert made and all(o.reason.startswith("its association is invalid") and o.met == 0
                        for o in made)


def test_no_rows_no_work(miri_spec):
    assert explain_rows(miri_spec, []) == []
