"""Stage 2 nod and WFSS mechanics on tiny pools (expected values from jwst 3.0.0)."""

import duckdb
import pytest

import asnsql
from asnsql.engine import install_views

COLUMNS = (
    "filename|program|exp_type|instrume|detector|filter|pupil|grating|subarray|targetid"
    "|pntgtype|patttype|mostilno|dithptin|is_imprt|bkgdtarg|expspcin|asn_candidate"
)


def _pool(tmp_path, rows):
    path = tmp_path / "pool.csv"
    path.write_text(COLUMNS + "\n" + "\n".join("|".join(r) for r in rows) + "\n")
    return path


def _members(result, rule):
    return {
        doc["products"][0]["name"]: [(m["expname"], m["exptype"]) for m in doc["products"][0]["members"]]
        for doc in result.documents.values()
        if doc["asn_rule"] == f"candidate_{rule}"
    }


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # Not NIRSpec FS or MOS: never overlaps.
        (("nrs_ifu", "1", "2", 2, 1, 1, 1, 1, None), False),
        # Another target always overlaps.
        (("nrs_msaspec", "1", "2", 3, 1, 2, 1, 1, None), True),
        # No pattern numbers: FS overlaps, MOS does not.
        (("nrs_fixedslit", "1", "1", None, None, None, None, None, "s200a1"), True),
        (("nrs_msaspec", "1", "1", None, None, None, None, None, None), False),
        # Same primary position (subpixel points 3: patt 1..3 are one position).
        (("nrs_msaspec", "3", "3", 9, 1, 3, 3, 3, None), True),
        (("nrs_msaspec", "3", "3", 9, 1, 4, 3, 3, None), False),
        # 5-point S1600A1 nods: the neighbouring position overlaps, the next not.
        (("nrs_fixedslit", "1", "1", 5, 1, 2, 1, 1, "s1600a1"), True),
        (("nrs_fixedslit", "1", "1", 5, 1, 3, 1, 1, "s1600a1"), False),
        (("nrs_fixedslit", "1", "1", 4, 1, 2, 1, 1, "s1600a1"), False),
    ],
)
def test_nod_background_overlap(args, expected):
    con = duckdb.connect()
    install_views(con)
    got = con.execute(
        "SELECT nod_background_overlap($1, $2, $3, $4, $5, $6, $7, $8, $9)", list(args)
    ).fetchone()[0]
    assert got is expected


def test_ifu_nod_prunes_imprints(tmp_path):
    """Imprints of another target, then those at no science dither, leave; background ones stay."""
    common = ["99009", "nrs_ifu", "nirspec", "nrs2", "f170lp", "null", "g235h", "full"]
    cand = "[('o001', 'observation')]"

    def row(n, imprint, target, dither, bkgd="n"):
        return [f"jw_{n:05d}_uncal.fits", *common, str(target), "science", "2-point-nod", "1",
                str(dither), imprint, bkgd, "1", cand]

    rows = [row(1, "n", 2, 1), row(2, "y", 2, 1), row(3, "n", 2, 2), row(4, "y", 2, 2),
            row(5, "y", 3, 1), row(6, "y", 2, 3), row(7, "y", 2, 1, "t")]
    result = asnsql.generate(_pool(tmp_path, rows), all_candidates=True)
    imprints = [("jw_00002_rate.fits", "imprint"), ("jw_00004_rate.fits", "imprint"),
                ("jw_00007_rate.fits", "imprint")]
    assert _members(result, "Asn_Lv2NRSIFUNod") == {
        "jw_00003": [("jw_00003_rate.fits", "science"), ("jw_00001_rate.fits", "background"), *imprints],
        "jw_00001": [("jw_00001_rate.fits", "science"), ("jw_00003_rate.fits", "background"), *imprints],
    }


def test_wfss_catalog_members(tmp_path):
    """Direct images leave; catalog members named from the closest later direct image come last."""
    cand = "[('o001', 'observation')]"

    def row(n, exp_type, filt, expspcin):
        return [f"jw_{n:05d}_uncal.fits", "99009", exp_type, "niriss", "nis", filt, "f150w", "null",
                "full", "1", "science", "null", "1", "1", "n", "n", str(expspcin), cand]

    rows = [row(1, "nis_image", "clear", 1), row(2, "nis_wfss", "gr150r", 2),
            row(3, "nis_image", "f200w", 3), row(4, "nis_wfss", "gr150r", 4),
            row(5, "nis_image", "clear", 5)]
    result = asnsql.generate(_pool(tmp_path, rows), all_candidates=True)
    docs = {d["products"][0]["name"]: d for d in result.documents.values()
            if d["asn_rule"] == "candidate_Asn_Lv2WFSSNIS"}
    root = "jw99009-o001_t001_niriss_"
    members = docs["jw_00002"]["products"][0]["members"]
    assert members[0] == {"expname": "jw_00002_rate.fits", "exptype": "science", "exposerr": None}
    assert members[1:] == [
        {"expname": root + "f150w-f200w_i2d.fits", "exptype": "direct_image"},
        {"expname": root + "f150w-f200w_cat.ecsv", "exptype": "sourcecat"},
        {"expname": root + "f150w-f200w_segm.fits", "exptype": "segmap"},
    ]
    assert docs["jw_00004"]["products"][0]["members"][1]["expname"] == root + "clear-f150w_i2d.fits"


def test_miri_slit_nod_first_background_pins_position(tmp_path):
    """Confirmations join every nod; the first background position joined is the only one."""
    cand = "[('o001', 'observation')]"
    rows = [
        ["jw_00001_uncal.fits", "1033", "mir_taconfirm", "none", "1", cand],
        ["jw_00002_uncal.fits", "1033", "mir_lrs-fixedslit", "along-slit-nod", "1", cand],
        ["jw_00003_uncal.fits", "1033", "mir_lrs-fixedslit", "along-slit-nod", "2", cand],
        ["jw_00004_uncal.fits", "1033", "mir_taconfirm", "none", "1", cand],
        ["jw_00005_uncal.fits", "1033", "mir_lrs-fixedslit", "along-slit-nod", "3", cand],
    ]
    path = tmp_path / "pool.csv"
    path.write_text("filename|program|exp_type|patttype|patt_num|asn_candidate"
                    "|targetid|pntgtype|instrume|detector|filter|subarray\n"
                    + "\n".join("|".join([*r, "1", "science", "miri", "mirimage", "p750l", "full"]) for r in rows) + "\n")
    result = asnsql.generate(path, all_candidates=True)

    def names(*pairs):
        return [(f"jw_{n:05d}_rate.fits", kind) for n, kind in pairs]

    ta, sci, bkg = "target_acquisition", "science", "background"
    assert _members(result, "Asn_Lv2MIRLRSFixedSlitNod") == {
        "jw_00002": names((1, ta), (2, sci), (3, bkg), (4, ta)),
        "jw_00003": names((3, sci), (4, ta), (5, bkg), (1, ta)),
        "jw_00005": names((5, sci), (2, bkg), (1, ta), (4, ta)),
    }
