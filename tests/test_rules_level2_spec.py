"""Stage 2 spectral, time-series, lamp and coronagraphy-as-rate rules.

The pools 931-935 were written for asnsql from these rules' constraints; the
whole pools also make Stage 3 associations (other rules), so here only their
Stage 2 documents are held to the reference's. The small pools below pin one
mechanic each.
"""

import json

import pytest

import asnsql
from asnsql.conformance import pool_path, reference_root
from asnsql.diff import compare_documents

STAGE2_TYPES = ("image2", "spec2", "tso-image2", "tso-spec2", "nrslamp-spec2")
CUSTOM_POOLS = (
    "pool_931_nircam_coron_full",
    "pool_932_nirspec_lamps",
    "pool_933_miri_lrs_taconfirm",
    "pool_934_nirspec_ifu_imprints",
    "pool_935_nirspec_ifu_background_imprints",
)


def _stage2(names):
    return sorted(n for n in names if any(f"_{t}_" in n for t in STAGE2_TYPES))


@pytest.mark.parametrize("mode", ["default", "all-candidates"])
@pytest.mark.parametrize("pool", CUSTOM_POOLS)
def test_custom_pool_stage2_matches_reference(pool, mode):
    result = asnsql.generate(pool_path(pool), all_candidates=(mode == "all-candidates"))
    ours = dict(result.documents)
    ref_dir = reference_root() / mode / pool
    ref_names = _stage2(p.name for p in ref_dir.glob("*.json"))
    assert _stage2(ours) == ref_names
    for name in ref_names:
        ref = json.loads((ref_dir / name).read_text())
        assert compare_documents(ref, json.loads(json.dumps(ours[name]))) == [], name


HEADER = (
    "FILENAME|PROGRAM|OBS_ID|EXP_TYPE|INSTRUME|DETECTOR|FILTER|PUPIL|GRATING|SUBARRAY|"
    "PNTGTYPE|TARGETID|MOSTILNO|DITHPTIN|BKGDTARG|IS_IMPRT|TSOVISIT|PATTTYPE|ASN_CANDIDATE\n"
)


def _generate(tmp_path, lines):
    path = tmp_path / "pool.csv"
    path.write_text(HEADER + "".join(line + "\n" for line in lines))
    return asnsql.generate(path, all_candidates=True)


def _members(doc):
    return [(m["expname"], m["exptype"]) for m in doc["products"][0]["members"]]


def test_full_frame_coronagraphy_is_also_calibrated_as_rate(tmp_path):
    result = _generate(tmp_path, [
        "jw1_nrca2_uncal.fits|1|o1|NRC_CORON|NIRCAM|NRCA2|F210M|MASKRND|N/A|FULL|SCIENCE|1|1|1|F|F|F|NONE|"
        "[('o001', 'observation')]",
    ])
    rules = {(d["asn_rule"], _members(d)[0][0]) for d in result.documents.values()}
    assert ("candidate_Asn_Lv2CoronAsRate", "jw1_nrca2_rate.fits") in rules
    assert ("candidate_Asn_Lv2Image", "jw1_nrca2_rateints.fits") in rules


def test_imprints_are_pruned_to_the_science_dither(tmp_path):
    def row(name, dither, imprint):
        return (f"{name}_uncal.fits|1|o1|NRS_IFU|NIRSPEC|NRS1|F170LP|N/A|G235H|FULL|SCIENCE|1|1|"
                f"{dither}|F|{imprint}|F|CYCLING|[('o001', 'observation')]")

    result = _generate(tmp_path, [
        row("sci1", 1, "F"), row("imp1", 1, "T"), row("sci2", 2, "F"), row("imp2", 2, "T"),
    ])
    spec = {d["products"][0]["name"]: _members(d) for d in result.documents.values()
            if d["asn_rule"] == "candidate_Asn_Lv2Spec"}
    assert spec["sci1"] == [("sci1_rate.fits", "science"), ("imp1_rate.fits", "imprint")]
    assert spec["sci2"] == [("sci2_rate.fits", "science"), ("imp2_rate.fits", "imprint")]


def test_time_series_spectra_skip_uncalibrated_soss_filter(tmp_path):
    def row(name, filt):
        return (f"{name}_uncal.fits|1|o1|NIS_SOSS|NIRISS|NIS|{filt}|GR700XD|N/A|SUBSTRIP256|SCIENCE|1|1|1|"
                "F|F|T|NONE|[('o001', 'observation')]")

    result = _generate(tmp_path, [row("clear", "CLEAR"), row("f277w", "F277W")])
    tso = [(d["asn_type"], _members(d)) for d in result.documents.values()
           if d["asn_rule"] == "candidate_Asn_Lv2SpecTSO"]
    assert tso == [("tso-spec2", [("clear_rateints.fits", "science")])]
