"""Finalising, step by step, on small inputs (no pool file, no full rule set).

Finalising is SQL (``sql/final/*.sql`` through :func:`asnsql.final.finalize_all`),
tested on the ``rule_members`` one rule leaves for a few rows (see
:mod:`rulecase`), and the record it keeps of why each step dropped what it
dropped (``asn_fate``). The one Python step, product pruning
(:mod:`asnsql.finalize`), is tested on hand-made entrants. Every expected
file name and member list below is what jwst 3.0.0 writes for the same rows.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from asnsql import finalize
from asnsql.engine import build_rule_info, install_views
from asnsql.final import Options, finalize_all
from asnsql.sqlfiles import read_sql
from asnsql.naming import remove_suffix
from asnsql.registry import Rule
from rulecase import builtin_rules, run_steps


def rule(level=3, asn_type="image3", name="Asn_Test", **options):
    return Rule(name=name, asn_type=asn_type, level=level, shape="group", purpose="a test rule",
                sql="SELECT 1", path=Path(f"sql/level{level}/asn_test.sql"), options=options)


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


def test_sql_without_suffix_is_remove_suffix():
    # The SQL macro finds the root another way (the first suffix that ends
    # the stem); it must cut exactly what Python's pattern cuts.
    stems = ["", "_cal", "a_cal", "a_cal_cal", "a-rate", "x_adaptive_trace_model", "a_b_c",
             "_", "a_", "__cal", "a__cal", "ami-oi", "x_ami-oi", "x-aminorm-oi", "a.b_cal",
             "jw_a_cal_rate", "a_cal-", "a_CAL", "a\rb_cal", "a b_cal", "ümlaut_cal"]
    con = duckdb.connect()
    install_views(con)
    got = con.execute("SELECT s, without_suffix(s) FROM unnest($s) AS t(s)", {"s": stems}).fetchall()
    assert [root for _, root in got] == [remove_suffix(s) if s else "" for s, _ in got]
    # A stem with a line feed: the SQL keeps the pattern's own reading.
    assert con.execute("SELECT without_suffix('a' || chr(10) || 'b_cal')").fetchone() == ("",)


# The path macros as they were written first, one regular expression a part:
# the specification of the quicker ones (which skip the searches a name
# without '/' needs none of).
_PATH_MACROS_SPEC = r"""
CREATE MACRO spec_path_name(p) AS regexp_extract(p, '[^/]*$');
CREATE MACRO spec_path_parent(p) AS regexp_extract(p, '^(.*)/[^/]*$', 1);
CREATE MACRO spec_path_stem(name) AS
    CASE WHEN regexp_matches(name, '^.+\.[^.]+$') THEN regexp_extract(name, '^(.+)\.[^.]+$', 1)
         ELSE name END;
CREATE MACRO spec_stage2_stem(p) AS
    CASE
        WHEN spec_path_parent(p) NOT IN ('', '.') THEN spec_path_parent(p) || '/'
        WHEN p LIKE '/%' THEN '/'
        ELSE ''
    END || spec_path_stem(spec_path_name(p));
"""


def test_path_macros_name_every_path_as_their_specification():
    import random

    rng = random.Random(7)
    alphabet = ["a", "b", ".", "/", "_", chr(10), "é", " "]
    paths = ["", ".", "..", "/", "a", "a.", ".a", "a.b", "a..b", "a.b.c", "/a.b", "./a.b",
             "d/a.b", "d/", "/d/a", "a/.b", "jw00632003001_03105_00001_nrca1_uncal.fits",
             "a" + chr(10) + "b.c", "a.b" + chr(10), "ü.fits", None]
    paths += ["".join(rng.choices(alphabet, k=rng.randint(0, 8))) for _ in range(3000)]
    con = duckdb.connect()
    install_views(con)
    con.execute(_PATH_MACROS_SPEC)
    differ = con.execute(
        "SELECT p FROM unnest($p) AS t(p) WHERE"
        " path_name(p) IS DISTINCT FROM spec_path_name(p)"
        " OR path_stem(p) IS DISTINCT FROM spec_path_stem(p)"
        " OR stage2_stem(p) IS DISTINCT FROM spec_stage2_stem(p)", {"p": paths}).fetchall()
    assert differ == []
    # The names a pool holds: as Python's PurePosixPath has them.
    assert con.execute("SELECT stage2_stem('d/jw_a_uncal.fits'), stage2_stem('./x.y.z'),"
                       " stage2_stem('/x'), path_stem('.hidden')").fetchone() \
        == ("d/jw_a_uncal", "x.y", "/x", ".hidden")


# --- product pruning (the one Python step) ------------------------------------

@dataclass
class Entrant:
    """What product pruning reads of an association."""

    asn_id: str
    product_name: str
    members: list = field(default_factory=lambda: [("a_cal.fits", "science")])
    asn_type: str = "image3"

    def membership(self):
        pairs = frozenset(self.members)
        return pairs if len(pairs) == len(self.members) else None


def test_prune_duplicate_products_leaves_a_list_without_repeats_as_it_is():
    a, b = Entrant("o002", "p1"), Entrant("o001", "p2")
    assert finalize.prune_duplicate_products([a, b]) == [a, b]


def test_prune_duplicate_products_drops_subsets_and_sorts_by_candidate():
    big = Entrant("o002", "p", [("a_cal.fits", "science"), ("b_cal.fits", "science")])
    small = Entrant("o001", "p")
    other = Entrant("o003", "q", [("c_cal.fits", "science")])
    dropped = []

    class Record(finalize.Pruner):
        def drop(self, a):
            dropped.append(a)

    assert finalize.prune_duplicate_products([other, big, small], Record()) == [big, other]
    assert dropped == [small]


def test_prune_duplicate_products_keeps_conflicting_exptypes():
    sci = Entrant("o001", "p")
    psf = Entrant("o002", "p", [("a_cal.fits", "psf"), ("b_cal.fits", "science")])
    assert finalize.prune_duplicate_products([psf, sci]) == [sci, psf]


def test_a_product_repeating_a_file_is_never_a_duplicate():
    twice = [("a_cal.fits", "science"), ("a_cal.fits", "science")]
    one, two = Entrant("o001", "p", twice), Entrant("o002", "p", twice)
    assert finalize.prune_duplicate_products([two, one]) == [one, two]


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


def test_joined_pair_sorts_two_words_as_python_does():
    words = [None, "", "a", "b", "B", "f150w", "F150W", "clear", "s200a1", "é"]
    pairs = [(a, b) for a in words for b in words]
    con = duckdb.connect()
    install_views(con)
    got = con.execute("SELECT joined_pair(p.a, p.b) FROM unnest($p) AS t(p)",
                      {"p": [{"a": a, "b": b} for a, b in pairs]}).fetchall()
    assert [g for (g,) in got] == ["-".join(sorted([w for w in p if w], key=str.lower))
                                   for p in pairs]


def test_joined_values_are_those_of_escaping_every_member_first():
    # The specification: every value escaped, then made distinct and sorted.
    import random

    rng = random.Random(11)
    words = [None, "", "a", "A", "b", "f150w", "F150W", "a.b", "a b", "x-y", "(p)", "é", "É"]
    lists = [[], [None], ["a", "a", "A"], ["a.b", "a b", "a-b"]]
    lists += [rng.choices(words, k=rng.randint(0, 6)) for _ in range(2000)]
    con = duckdb.connect()
    install_views(con)
    differ = con.execute(
        "SELECT vs FROM unnest($l) AS t(vs) WHERE joined_values(vs) IS DISTINCT FROM"
        " coalesce(array_to_string(list_transform(list_sort(list_distinct(list_transform("
        "list_transform(list_filter(vs, lambda v: v IS NOT NULL), lambda v: re_escape(v)),"
        " lambda e: {'k': lower(e), 'v': e}))), lambda s: s.v), '-'), '')",
        {"l": lists}).fetchall()
    assert differ == []
    assert con.execute("SELECT joined_values(['b', 'A', 'b', NULL, 'a.c'])").fetchone() \
        == ("A-a\\.c-b",)


CANDIDATE_TYPES = ["observation", "background", "group", "mosaic", "coronagraphy", "ami",
                   "tso", "unknown", "discovered"]


def test_a_pass_skipped_for_its_candidate_type_makes_only_invalid_associations():
    """What ``rule_skips`` skips (``invalid_for_type``), asn_listed finds invalid
    however good the members: every exposure type, more than any rule needs."""
    con = duckdb.connect()
    install_views(con)
    build_rule_info(con, list(builtin_rules().values()))
    con.execute("""
        CREATE TABLE asn_made AS
        SELECT
            row_number() OVER (ORDER BY k.rule_rank, t.acid_type) AS asn_uid, 0 AS _pool,
            k.* EXCLUDE (product_parts), t.acid_type,
            CASE WHEN t.acid_type = 'discovered' THEN 'discover' ELSE 'candidate' END AS registry,
            CASE WHEN t.acid_type = 'discovered' THEN 'a3001' ELSE 'o001' END AS asn_id,
            list_distinct(['science', 'background', 'psf', 'target_acquisition']
                          || k.valid_requires) AS exptypes,
            1000 AS n_members, NULL::VARCHAR AS membership
        FROM rule_info AS k CROSS JOIN unnest($types) AS t(acid_type)
    """, {"types": CANDIDATE_TYPES})
    listed = con.extract_statements(read_sql("final/20_finalize.sql"))[0].query
    con.execute(listed, {"discover": False, "keep_candidates": True})
    rows = con.execute("""
        SELECT rule, acid_type, is_valid,
            invalid_for_type(level, any_candidate, valid_candidate_types,
                             invalid_candidate_types, acid_type) AS skipped
        FROM asn_listed
    """).fetchall()
    assert [(r, t) for r, t, valid, skipped in rows if skipped and valid] == []
    skipped = {(r, t) for r, t, _, s in rows if s}
    assert ("Asn_Lv2Image", "group") in skipped and ("Asn_Lv2Image", "discovered") in skipped
    assert ("Asn_Lv3ImageMosaic", "observation") in skipped       # valid_candidate_types
    assert ("Asn_Lv3WFSCMB", "group") in skipped                  # invalid_candidate_types
    assert ("Asn_Lv2Image", "observation") not in skipped
    assert ("Asn_Lv2Image", "background") not in skipped          # depends on its members
    assert ("Asn_Lv2WFSSParallel", "group") not in skipped        # candidates = "any"
    assert ("Asn_Lv3Image", "group") not in skipped                # depends on its observations


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
    finalize_all(con, Options(discover=discover, keep_candidates=True, finalize=finalize_))
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


# --- the record of what each step dropped (asn_fate) --------------------------

def fates(rule_name, rows, *, discover=False, finalize_=True):
    """(pass registry, file name or None, reason or None) of each association the rule made."""
    rules = [builtin_rules()[rule_name]]
    con = duckdb.connect()
    run_steps(con, rules, rows, mode="both" if discover else "candidates", finalize=finalize_)
    finalize_all(con, Options(discover=discover, keep_candidates=True, finalize=finalize_))
    found = con.execute(
        "SELECT r.registry, f.file_name, f.reason FROM asn_fate AS f"
        " JOIN runs AS r USING (run_id) ORDER BY f.asn_uid").fetchall()
    con.close()
    return found


def test_a_written_association_has_its_file_and_no_reason():
    assert fates("Asn_Lv3Image", rows(IMAGE, {"filename": "a_uncal.fits"})) == [
        ("candidate", "jw01345-o002_image3_00001_asn.json", None)]


def test_a_missing_psf_reference_is_named():
    sci = rows(CORON, {"filename": "sci_uncal.fits"})
    assert fates("Asn_Lv3NRCCoron", sci) == [
        ("candidate", None, "its association is invalid: Asn_Lv3NRCCoron needs a member of type psf")]


def test_a_group_candidate_of_one_observation_is_told_so():
    one_obs = rows(IMAGE, {"filename": "a_uncal.fits", "asn_candidate": GROUP})
    said = [reason for _, _, reason in fates("Asn_Lv3Image", one_obs)]
    assert said == [None, "its association is invalid: a group candidate's association must span"
                          " two or more observations"]
    # Without finalising the test is not made, and both are written.
    assert all(name for _, name, _ in fates("Asn_Lv3Image", one_obs, finalize_=False))


def test_a_discovered_repeat_names_the_file_it_repeats():
    one = rows(IMAGE, {"filename": "a_uncal.fits"})
    assert fates("Asn_Lv3Image", one, discover=True) == [
        ("candidate", "jw01345-o002_image3_00001_asn.json", None),
        # a3001 and o002 differ in their first letter: not the discovery filter's, but a duplicate.
        ("discover", None, "pruned as a duplicate: jw01345-o002_image3_00001_asn.json has the"
                           " same members"),
    ]


def test_stage2_discovered_associations_are_not_kept():
    image2 = rows(IMAGE, {"filename": "a_uncal.fits"})
    said = fates("Asn_Lv2Image", image2, discover=True)
    assert said[0] == ("candidate", "jw01345-o002_image2_00001_asn.json", None)
    assert said[1] == ("discover", None, "its association is invalid: Stage 2 associations are"
                                         " kept only for observation candidates, not the"
                                         " discovery pass")


def test_a_rule_validity_sentence_is_said_as_written():
    mosaic = rows(IMAGE, {"filename": "a_uncal.fits"})
    assert fates("Asn_Lv3ImageMosaic", mosaic) == [
        ("candidate", None, "its association is invalid: only mosaic candidates keep their"
                            " association, and this one is an observation candidate")]
