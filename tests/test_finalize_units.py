"""Finalising, step by step, on small hand-made inputs (no pool file, no full rule set).

The pure steps (:mod:`asnsql.finalize`, :mod:`asnsql.assemble`) are tested
on hand-made :class:`~asnsql.assemble.Association` records; the SQL steps
(``sql/final/*.sql`` through :func:`asnsql.final.finalize_all`) on the
``rule_members`` one rule leaves for a few rows (see :mod:`rulecase`).
Every expected file name and member list below is what jwst 3.0.0 writes
for the same rows.
"""

import json
from pathlib import Path

import duckdb
import pytest

from asnsql import finalize
from asnsql.assemble import (
    Association,
    describe_constraints,
    pad_program,
    remove_suffix,
    stage2_product_name,
    stage3_product_name,
)
from asnsql.final import Options, build_rule_info, finalize_all
from asnsql.registry import Rule
from rulecase import builtin_rules, run_steps


def rule(level=3, asn_type="image3", name="Asn_Test", **options):
    return Rule(name=name, asn_type=asn_type, level=level, shape="group", purpose="a test rule",
                sql="SELECT 1", path=Path(f"sql/level{level}/asn_test.sql"), options=options)


def asn(members, *, level=3, acid="o001", acid_type="observation", registry="candidate",
        product="p", obs=("1",), creation=(0, 0, 0), the_rule=None, **options):
    """An association of (expname, exptype) members."""
    return Association(
        rule=the_rule or rule(level, "image3" if level == 3 else "image2", **options),
        registry=registry, asn_id=acid, acid_type=acid_type, creation=creation,
        program="01345", target="t001", product_name=product,
        members=[{"expname": n, "exptype": t} for n, t in members],
        obs_nums=frozenset(obs),
    )


SCI = [("a_cal.fits", "science")]


# --- names -------------------------------------------------------------------

@pytest.mark.parametrize(("stem", "root"), [
    ("jw_a_rate", "jw_a"),
    ("jw_a_cal", "jw_a"),
    ("jw_a_x1dints", "jw_a"),
    ("jw_a-rate", "jw_a"),
    ("jw_a_cal_rate", "jw_a_cal"),       # one suffix only
    ("jw_a", "jw_a"),                    # no known suffix
    ("jw_a_notasuffix", "jw_a_notasuffix"),
])
def test_remove_suffix(stem, root):
    assert remove_suffix(stem) == root


def test_pad_program_to_five_digits():
    assert [pad_program(p) for p in ("1", "1345", "01345", "123456")] == [
        "00001", "01345", "01345", "123456"]


def test_stage2_product_name_is_the_science_stem():
    members = [{"expname": "bkg_rate.fits", "exptype": "background"},
               {"expname": "dir/jw_sci_rate.fits", "exptype": "science"}]
    assert stage2_product_name(members) == "dir/jw_sci"
    assert stage2_product_name(members[:1]) == "undefined"


def science_row(**values):
    row = {"role_science": True, "target": "1", "instrument": "nircam", "opt_elem": "f150w",
           "opt_elem2": "clear", "slit": None, "subarray": "full"}
    return {**row, **values}


def test_stage3_product_name_joins_sorted_values_and_drops_full_subarray():
    rows = [science_row(), science_row(opt_elem="f200w"),
            science_row(role_science=False, opt_elem="f335m", target="7")]  # an acquisition
    assert stage3_product_name(rule(), "01345", "o002", rows) == (
        "jw01345-o002_t001_nircam_clear-f150w-f200w", "t001")


def test_stage3_product_name_slit_subarray_and_clear():
    rows = [science_row(opt_elem=None, opt_elem2=None, slit="s200a2", subarray="sub64p"),
            science_row(opt_elem=None, opt_elem2=None, slit="s200a1", subarray="sub64p")]
    assert stage3_product_name(rule(), "01345", "a3001", rows)[0] == (
        "jw01345-a3001_t001_nircam_clear-s200a1-s200a2-sub64p")


def test_stage3_product_name_template_keeps_unknown_fields():
    wfss = rule(product_name="jw{program}-{acid}_{source_id}_{instrument}_{grism}")
    rows = [science_row(name_parts={"grism": "gr150r"})]
    assert stage3_product_name(wfss, "01345", "o001", rows)[0] == (
        "jw01345-o001_{source_id}_nircam_gr150r")


def test_file_stem_with_and_without_version():
    a = asn(SCI, acid="O002")
    a.sequence = 3
    assert a.file_stem(None) == "jw01345-o002_image3_00003_asn"
    assert a.file_stem("20250101T000000") == "jw01345-o002_20250101t000000_image3_00003_asn"


def test_membership_is_none_when_a_file_repeats():
    assert asn([("a", "science"), ("b", "psf")]).membership() == {("a", "science"), ("b", "psf")}
    assert asn([("a", "science"), ("a", "background")]).membership() is None


def test_describe_constraints_skips_unset_keys():
    text = describe_constraints(rule(), {"program": "1345", "slit": None, "target": "1"})
    assert text == "rule Asn_Test (level3/asn_test.sql): program=1345, target=1"


# --- validity ----------------------------------------------------------------

def test_no_science_is_invalid():
    assert finalize.is_valid(asn(SCI))
    assert not finalize.is_valid(asn([("b_x1d.fits", "background")]))


@pytest.mark.parametrize(("acid_type", "members", "valid"), [
    ("observation", SCI, True),
    ("background", SCI, False),
    ("background", SCI + [("b_rate.fits", "background")], True),
    ("group", SCI, False),
])
def test_stage2_candidate_types(acid_type, members, valid):
    assert finalize.is_valid(asn(members, level=2, acid_type=acid_type)) is valid


def test_stage2_rule_taking_any_candidate():
    assert finalize.is_valid(asn(SCI, level=2, acid_type="group", candidates="any"))


def test_rule_header_validity():
    psf = [("p_calints.fits", "psf")]
    assert not finalize.is_valid(asn(SCI, valid_requires=["psf"]))
    assert finalize.is_valid(asn(SCI + psf, valid_requires=["psf"]))
    assert not finalize.is_valid(asn(SCI, valid_min_members=2))
    assert not finalize.is_valid(asn(SCI, acid_type="group", valid_candidate_types=["observation"]))
    assert finalize.is_valid(asn(SCI, valid_candidate_types=["observation"]))
    assert not finalize.is_valid(asn(SCI, invalid_candidate_types=["observation"]))


def test_group_candidates_must_span_observations_when_finalising():
    one, two = asn(SCI, acid_type="group"), asn(SCI, acid_type="group", obs=("1", "2"))
    assert finalize.is_valid(one) and not finalize.keeps(one)
    assert finalize.keeps(two)
    assert finalize.keeps(asn(SCI, acid_type="observation"))
    assert finalize.keeps(asn(SCI, acid_type="group", finalize="nod_backgrounds"))


# --- discovery filter, duplicates, numbering ---------------------------------

def test_discovery_filter_compares_type_id_letter_and_members():
    """As the reference's association equality: asn_type, the first letter of asn_id, members."""
    cand = asn(SCI, acid="o001")
    twin = asn(SCI, acid="o999", registry="discover")
    other_letter = asn(SCI, acid="a3001", registry="discover")
    new = asn(SCI + [("b_cal.fits", "science")], acid="a3001", registry="discover")
    assert finalize.same_as(twin, cand)
    assert not finalize.same_as(other_letter, cand) and not finalize.same_as(new, cand)
    assert not finalize.same_as(asn(SCI, acid="o999", level=2), cand)
    # Discovered first, then (if kept) the candidates.
    assert finalize.filter_discovered([cand, twin, other_letter, new], keep_candidates=True) == [
        other_letter, new, cand]
    assert finalize.filter_discovered([cand, twin, new], keep_candidates=False) == [new]


def test_discovered_twin_goes_in_duplicate_pruning():
    """A discovered association repeating a candidate's members is pruned as a duplicate."""
    cand, disc = asn(SCI, acid="o001"), asn(SCI, acid="a3001", registry="discover")
    kept = finalize.filter_discovered([cand, disc], keep_candidates=True)
    assert finalize.prune_duplicate_associations(kept) == [cand]


def test_prune_duplicate_associations_keeps_the_last_by_candidate_id():
    o2, c1, o1 = asn(SCI, acid="o002"), asn(SCI, acid="c1000"), asn([("x", "science")], acid="o001")
    dropped = []

    class Record(finalize.Pruner):
        def drop(self, a):
            dropped.append(a)

    # Sorted: c1000, o001, o002; walked from the end, survivors in reverse.
    assert finalize.prune_duplicate_associations([o2, c1, o1], Record()) == [o2, o1]
    assert dropped == [c1]


def test_prune_duplicate_associations_reverses_the_order():
    """Two distinct associations of one candidate come out last created first."""
    first, second = asn(SCI, product="f150w"), asn([("b_cal.fits", "science")], product="f200w")
    assert finalize.prune_duplicate_associations([first, second]) == [second, first]


def test_repeated_files_are_never_duplicates():
    twice = [("a", "science"), ("a", "science")]
    one, two = asn(twice, acid="o001"), asn(twice, acid="o002")
    assert finalize.prune_duplicate_associations([one, two]) == [two, one]


def test_prune_duplicate_products_leaves_a_list_without_repeats_as_it_is():
    a, b = asn(SCI, acid="o002", product="p1"), asn(SCI, acid="o001", product="p2")
    assert finalize.prune_duplicate_products([a, b]) == [a, b]


def test_prune_duplicate_products_drops_subsets_and_sorts_by_candidate():
    big = asn(SCI + [("b_cal.fits", "science")], acid="o002", product="p")
    small = asn(SCI, acid="o001", product="p")
    other = asn([("c_cal.fits", "science")], acid="o003", product="q")
    assert finalize.prune_duplicate_products([other, big, small]) == [big, other]


def test_prune_duplicate_products_keeps_conflicting_exptypes():
    sci = asn(SCI, acid="o001", product="p")
    psf = asn([("a_cal.fits", "psf"), ("b_cal.fits", "science")], acid="o002", product="p")
    assert finalize.prune_duplicate_products([psf, sci]) == [sci, psf]


def test_resequence_counts_per_candidate_and_type():
    asns = [asn(SCI, acid="o001"), asn(SCI, acid="o002"), asn(SCI, acid="o001"),
            asn(SCI, acid="o001", level=2)]
    finalize.resequence(asns)
    assert [a.sequence for a in asns] == [1, 1, 2, 1]


def test_creation_sorted():
    late, early = asn(SCI, creation=(2, 0, 0)), asn(SCI, creation=(1, 5, 3))
    assert finalize.creation_sorted([late, early]) == [early, late]


# --- rule headers as finalising reads them ----------------------------------

def test_build_rule_info_reads_the_headers():
    con = duckdb.connect()
    coron = builtin_rules()["Asn_Lv3NRCCoron"]
    build_rule_info(con, [coron, rule(level=2, asn_type="image2", valid_min_members=2)])
    rows = con.execute("SELECT rule_rank, level, asn_type, valid_requires, valid_min_members,"
                       " [p.field FOR p IN product_parts] FROM rule_info ORDER BY 1").fetchall()
    assert rows[0] == (0, 3, "coron3", ["psf"], 0,
                       ["program", "acid", "target", "instrument", "opt_elem", "slit", "subarray"])
    # A rule without a product_name template gets the default one.
    assert rows[1][:5] == (1, 2, "image2", [], 2)
    assert rows[1][5] == rows[0][5]


# --- the SQL steps, on one rule's members ------------------------------------

IMAGE = {"program": "1345", "obs_num": "2", "instrume": "nircam", "detector": "nrca1",
         "channel": "short", "exp_type": "nrc_image", "filter": "f150w", "pupil": "clear",
         "subarray": "full", "targetid": "1", "pntgtype": "science",
         "asn_candidate": "[('o002', 'observation')]"}
CORON = {**IMAGE, "program": "1366", "obs_num": "1", "detector": "nrca2", "exp_type": "nrc_coron",
         "filter": "f210m", "pupil": "maskrnd", "subarray": "mask210r",
         "asn_candidate": "[('o001', 'observation')]"}
LRS = {**IMAGE, "program": "1523", "obs_num": "3", "instrume": "miri", "detector": "mirimage",
       "channel": None, "exp_type": "mir_lrs-fixedslit", "filter": "p750l", "pupil": None,
       "patttype": "along-slit-nod", "asn_candidate": "[('o003', 'observation')]"}
GROUP = "[('o002', 'observation'), ('c1000', 'group')]"


def written(rule_name, rows, *, discover=False, finalize_=True):
    """File name -> (product name, members) that finalising writes for one rule's rows."""
    rules = [builtin_rules()[rule_name]]
    con = duckdb.connect()
    run_steps(con, rules, rows, mode="both" if discover else "candidates", finalize=finalize_)
    finalize_all(con, rules, Options(discover=discover, keep_candidates=True, finalize=finalize_))
    out = {}
    for name, text in con.execute("SELECT file_name, document FROM documents ORDER BY name_order"
                                  ).fetchall():
        product = json.loads(text)["products"][0]
        out[name] = (product["name"], [(m["expname"], m["exptype"]) for m in product["members"]])
    con.close()
    return out


def rows(base, *changes):
    return [{**base, **change} for change in changes]


def test_coronagraphy_is_written_only_with_a_psf_reference():
    with_psf = rows(CORON, {"filename": "sci_uncal.fits"},
                    {"filename": "psf_uncal.fits", "is_psf": "t", "targetid": "9"})
    assert written("Asn_Lv3NRCCoron", with_psf) == {
        "jw01366-o001_coron3_00001_asn.json": (
            "jw01366-o001_t001_nircam_f210m-maskrnd-mask210r",
            [("sci_calints.fits", "science"), ("psf_calints.fits", "psf")]),
    }
    without = rows(CORON, {"filename": "sci_uncal.fits"}, {"filename": "sci2_uncal.fits"})
    assert written("Asn_Lv3NRCCoron", without) == {}
    assert written("Asn_Lv3NRCCoron", without, finalize_=False) == {}


def test_sequence_numbers_follow_the_reversed_creation_order():
    """The reference's duplicate pruning reverses the list: the last created is number 1."""
    two = rows(IMAGE, {"filename": "a_uncal.fits"}, {"filename": "b_uncal.fits", "filter": "f200w"})
    assert written("Asn_Lv3Image", two) == {
        "jw01345-o002_image3_00001_asn.json": ("jw01345-o002_t001_nircam_clear-f200w",
                                               [("b_cal.fits", "science")]),
        "jw01345-o002_image3_00002_asn.json": ("jw01345-o002_t001_nircam_clear-f150w",
                                               [("a_cal.fits", "science")]),
    }


def test_group_candidate_of_one_observation_dropped_only_when_finalising():
    one_obs = rows(IMAGE, {"filename": "a_uncal.fits", "asn_candidate": GROUP},
                   {"filename": "b_uncal.fits", "asn_candidate": GROUP})
    assert [n for n in written("Asn_Lv3Image", one_obs)] == ["jw01345-o002_image3_00001_asn.json"]
    unfinalised = written("Asn_Lv3Image", one_obs, finalize_=False)
    assert sorted(n[:12] for n in unfinalised) == ["jw01345-c100", "jw01345-o002"]
    two_obs = rows(IMAGE, {"filename": "a_uncal.fits", "asn_candidate": GROUP},
                   {"filename": "b_uncal.fits", "obs_num": "3",
                    "asn_candidate": "[('o003', 'observation'), ('c1000', 'group')]"})
    assert written("Asn_Lv3Image", two_obs)["jw01345-c1000_image3_00001_asn.json"][1] == [
        ("a_cal.fits", "science"), ("b_cal.fits", "science")]


def test_discovered_association_kept_only_when_new():
    one_obs = rows(IMAGE, {"filename": "a_uncal.fits"}, {"filename": "b_uncal.fits"})
    assert list(written("Asn_Lv3Image", one_obs, discover=True)) == [
        "jw01345-o002_image3_00001_asn.json"]
    two_obs = rows(IMAGE, {"filename": "a_uncal.fits"},
                   {"filename": "b_uncal.fits", "obs_num": "3",
                    "asn_candidate": "[('o003', 'observation')]"})
    found = written("Asn_Lv3Image", two_obs, discover=True)
    assert sorted(found) == ["jw01345-a3001_image3_00001_asn.json",
                             "jw01345-o002_image3_00001_asn.json",
                             "jw01345-o003_image3_00001_asn.json"]
    assert found["jw01345-a3001_image3_00001_asn.json"][1] == [
        ("a_cal.fits", "science"), ("b_cal.fits", "science")]


def test_nods_become_each_others_backgrounds_when_finalising():
    nods = rows(LRS, {"filename": "n1_uncal.fits"}, {"filename": "n2_uncal.fits"})
    name = "jw01523-o003_spec3_00001_asn.json"
    science = [("n1_cal.fits", "science"), ("n2_cal.fits", "science")]
    assert written("Asn_Lv3SpectralTarget", nods)[name] == (
        "jw01523-o003_t001_miri_p750l",
        science + [("n1_x1d.fits", "background"), ("n2_x1d.fits", "background")])
    unfinalised = written("Asn_Lv3SpectralTarget", nods, finalize_=False)
    assert [members for _, members in unfinalised.values()] == [science]
