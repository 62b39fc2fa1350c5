"""Stage 3 spectroscopic rules: backgrounds, nods and key matching on tiny pools."""

import duckdb
import pytest

import asnsql
from asnsql.engine import install_views

HEADER = (
    "FILENAME|PROGRAM|OBS_NUM|EXP_TYPE|INSTRUME|DETECTOR|TARGETID|PNTGTYPE|FILTER"
    "|GRATING|FXD_SLIT|SUBARRAY|PATTTYPE|BKGDTARG|ASN_CANDIDATE"
)


def _generate(tmp_path, rows, **mode):
    pool = tmp_path / "pool.csv"
    pool.write_text("\n".join([HEADER, *rows]) + "\n")
    result = asnsql.generate(pool, all_candidates=True, **mode)
    return {
        name.removesuffix(".json"): doc
        for name, doc in result.documents.items()
        if doc["asn_type"] == "spec3"
    }


def _members(doc):
    return [(m["expname"], m["exptype"]) for m in doc["products"][0]["members"]]


def test_background_joins_fixed_slit_science_of_any_target(tmp_path):
    """A background exposure pins no target; it counts as an observation."""
    cand = "[('o00{0}', 'observation'), ('c1000', 'background')]"
    rows = [
        f"jw_1_uncal.fits|1|1|NRS_FIXEDSLIT|NIRSPEC|NRS1|7|SCIENCE|F100LP|G140M|S200A2|S200A2|NULL|T|{cand.format(1)}",
        f"jw_2_uncal.fits|1|2|NRS_FIXEDSLIT|NIRSPEC|NRS1|3|SCIENCE|F100LP|G140M|S200A2|S200A2|NULL|F|{cand.format(2)}",
    ]
    docs = _generate(tmp_path, rows)
    doc = docs["jw00001-c1000_spec3_00001_asn"]
    assert doc["asn_rule"] == "candidate_Asn_Lv3NRSFSS"
    assert doc["target"] == "t003"
    assert _members(doc) == [("jw_1_x1d.fits", "background"), ("jw_2_cal.fits", "science")]
    assert doc["products"][0]["name"] == (
        "jw00001-c1000_t003-{source_id}_nirspec_f100lp-g140m-{slit_name}-s200a2"
    )


def test_nods_are_each_others_background(tmp_path):
    """Two nodded exposures gain x1d background copies; one alone does not."""
    rows = [
        f"jw_{i}_uncal.fits|1|{obs}|MIR_LRS-FIXEDSLIT|MIRI|MIRIMAGE|1|SCIENCE|P750L|NULL|NULL|FULL"
        f"|ALONG-SLIT-NOD|F|[('o00{obs}', 'observation')]"
        for i, obs in ((1, 1), (2, 1), (3, 2))
    ]
    docs = _generate(tmp_path, rows)
    assert _members(docs["jw00001-o001_spec3_00001_asn"]) == [
        ("jw_1_cal.fits", "science"),
        ("jw_2_cal.fits", "science"),
        ("jw_1_x1d.fits", "background"),
        ("jw_2_x1d.fits", "background"),
    ]
    assert _members(docs["jw00001-o002_spec3_00001_asn"]) == [("jw_3_cal.fits", "science")]


def test_nodded_group_of_one_observation_stays_valid(tmp_path):
    """The nod rule skips the several-observations test of group candidates.

    The same shape of pool for NIRSpec fixed-slit makes no group association.
    """
    rows = [
        "jw_1_uncal.fits|1|1|MIR_LRS-FIXEDSLIT|MIRI|MIRIMAGE|1|SCIENCE|P750L|NULL|NULL|FULL"
        "|ALONG-SLIT-NOD|F|[('o001', 'observation'), ('c1000', 'group')]",
        "jw_2_uncal.fits|1|1|MIR_LRS-FIXEDSLIT|MIRI|MIRIMAGE|1|SCIENCE|P750L|NULL|NULL|FULL"
        "|ALONG-SLIT-NOD|F|[('o002', 'observation'), ('c1000', 'group')]",
        "jw_3_uncal.fits|1|1|NRS_FIXEDSLIT|NIRSPEC|NRS1|7|SCIENCE|F100LP|G140M|S200A2|S200A2"
        "|NULL|F|[('o003', 'observation'), ('c1001', 'group')]",
        "jw_4_uncal.fits|1|1|NRS_FIXEDSLIT|NIRSPEC|NRS1|7|SCIENCE|F100LP|G140M|S200A2|S200A2"
        "|NULL|F|[('o004', 'observation'), ('c1001', 'group')]",
    ]
    docs = _generate(tmp_path, rows)
    assert _members(docs["jw00001-c1000_spec3_00001_asn"]) == [
        ("jw_1_cal.fits", "science"),
        ("jw_2_cal.fits", "science"),
        ("jw_1_x1d.fits", "background"),
        ("jw_2_x1d.fits", "background"),
    ]
    assert not any(name.startswith("jw00001-c1001") for name in docs)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (["1", "x"], [None, "x"], True),
        ([None, "x"], ["1", "x"], False),
        (["1", None], ["1", None], True),
        (["1", "x"], ["2", "x"], False),
    ],
)
def test_keys_cover(a, b, expected):
    con = duckdb.connect()
    install_views(con)
    got = con.execute("SELECT keys_cover($a::VARCHAR[], $b::VARCHAR[])", {"a": a, "b": b}).fetchone()[0]
    assert got is expected


def test_background_shared_by_two_targets(tmp_path):
    """A background first creates the association of the next science target.

    It joins the later target's association from the re-processing queue, so
    there it comes last; that association was created later, so it is
    numbered first.
    """
    cand = "[('o00{0}', 'observation'), ('c1000', 'background')]"
    fss = "NRS_FIXEDSLIT|NIRSPEC|NRS1|{0}|SCIENCE|F100LP|G140M|S200A2|S200A2|NULL|{1}"
    rows = [
        f"jw_1_uncal.fits|1|1|{fss.format(9, 'T')}|{cand.format(1)}",
        f"jw_2_uncal.fits|1|2|{fss.format(1, 'F')}|{cand.format(2)}",
        f"jw_3_uncal.fits|1|3|{fss.format(2, 'F')}|{cand.format(3)}",
        f"jw_4_uncal.fits|1|3|NRS_TACQ|NIRSPEC|NRS1|2|SCIENCE|F140X|MIRROR|NULL|SUB32|NULL|F|{cand.format(3)}",
        f"jw_5_uncal.fits|1|4|{fss.format(9, 'T')}|{cand.format(4)}",
    ]
    docs = _generate(tmp_path, rows)
    first = docs["jw00001-c1000_spec3_00001_asn"]
    assert first["target"] == "t002"
    assert _members(first) == [
        ("jw_3_cal.fits", "science"),
        ("jw_4_cal.fits", "target_acquisition"),
        ("jw_5_x1d.fits", "background"),
        ("jw_1_x1d.fits", "background"),
    ]
    assert docs["jw00001-c1000_spec3_00002_asn"]["asn_rule"] == "candidate_Asn_Lv3SpecAux"
    third = docs["jw00001-c1000_spec3_00003_asn"]
    assert _members(third) == [
        ("jw_1_x1d.fits", "background"),
        ("jw_2_cal.fits", "science"),
        ("jw_5_x1d.fits", "background"),
    ]
