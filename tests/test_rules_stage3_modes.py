"""Stage 3 coronagraphy, AMI, time-series and wavefront rules on tiny pools."""

import asnsql

COLUMNS = [
    "filename", "program", "obs_num", "obs_id", "act_id", "exp_type", "instrume", "detector",
    "channel", "targetid", "pntgtype", "filter", "pupil", "subarray", "patttype", "is_psf",
    "bkgdtarg", "tsovisit", "asn_candidate",
]


def pool(tmp_path, rows):
    """Write rows (dicts of the keywords that matter) as a | pool; return its path."""
    lines = ["|".join(COLUMNS)]
    for row in rows:
        lines.append("|".join(str(row.get(c, "NULL")) for c in COLUMNS))
    path = tmp_path / "pool.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def coron(n, obs, target, psf="F", detector="NRCA2", subarray="MASKA210R", cands=()):
    candidates = [f"('o{obs:03d}', 'observation')"] + [f"('{c}', 'coronagraphy')" for c in cands]
    return {
        "filename": f"jw_{n:05d}_uncal.fits", "program": "1411", "obs_num": obs,
        "exp_type": "NRC_CORON", "instrume": "NIRCAM", "detector": detector, "channel": "SHORT",
        "targetid": target, "pntgtype": "SCIENCE", "filter": "F210M", "pupil": "MASKRND",
        "subarray": subarray, "is_psf": psf, "bkgdtarg": "F", "tsovisit": "F",
        "asn_candidate": "[" + ", ".join(candidates) + "]",
    }


def members(doc):
    return [(m["expname"], m["exptype"]) for m in doc["products"][0]["members"]]


def of_type(result, asn_type):
    return {n: d for n, d in result.documents.items() if d["asn_type"] == asn_type}


def test_psf_reference_joins_every_target_first_where_it_created(tmp_path):
    path = pool(tmp_path, [
        coron(1, 1, 9, psf="T"),
        coron(2, 2, 1),
        coron(3, 3, 2),
    ])
    found = of_type(asnsql.generate(path, discover=True), "coron3")
    by_name = {d["products"][0]["name"]: members(d) for d in found.values()}
    # The PSF reference created the association target 1 then pinned, so it
    # comes first there; target 2's association receives it last.
    assert by_name["jw01411-a3001_t001_nircam_f210m-maskrnd-maska210r"] == [
        ("jw_00001_calints.fits", "psf"), ("jw_00002_calints.fits", "science"),
    ]
    assert by_name["jw01411-a3001_t002_nircam_f210m-maskrnd-maska210r"] == [
        ("jw_00003_calints.fits", "science"), ("jw_00001_calints.fits", "psf"),
    ]


def test_coronagraphy_needs_a_psf_reference(tmp_path):
    path = pool(tmp_path, [coron(1, 1, 1), coron(2, 1, 1)])
    assert of_type(asnsql.generate(path), "coron3") == {}


def test_coronagraphy_as_images_reads_cal_files(tmp_path):
    rows = [coron(n, 1, 1, detector=d, subarray="FULL") for n, d in enumerate(["NRCA1", "NRCA3"], 1)]
    found = of_type(asnsql.generate(path := pool(tmp_path, rows), all_candidates=True), "image3")
    doc = found["jw01411-o001_image3_00001_asn.json"]
    assert doc["asn_rule"] == "candidate_Asn_Lv3NRCCoronImage"
    assert doc["products"][0]["name"] == "jw01411-o001_t001_nircam_f210m-maskrnd-image3"
    assert members(doc) == [("jw_00001_cal.fits", "science"), ("jw_00002_cal.fits", "science")]
    # Neither detector sees the occulted target: no coronagraphic association.
    assert of_type(asnsql.generate(path, all_candidates=True), "coron3") == {}


def wfs(n, act, detector="NRCA3"):
    return {
        "filename": f"jw_{n:05d}_uncal.fits", "program": "747", "obs_num": 1, "obs_id": "V1",
        "act_id": act, "exp_type": "NRC_IMAGE", "instrume": "NIRCAM", "detector": detector,
        "channel": "SHORT", "targetid": 2, "pntgtype": "SCIENCE", "filter": "F212N",
        "pupil": "WLP8", "subarray": "FULL", "patttype": "WFSC", "is_psf": "F", "bkgdtarg": "F",
        "tsovisit": "F", "asn_candidate": "[('o001', 'observation')]",
    }


def test_wavefront_pairs_are_named_by_detector_and_activity(tmp_path):
    path = pool(tmp_path, [wfs(1, "4"), wfs(2, "4"), wfs(3, "5")])
    found = of_type(asnsql.generate(path, all_candidates=True), "wfs-image3")
    # Activity 5 has a single exposure: not a pair, so not valid.
    assert [d["products"][0]["name"] for d in found.values()] == [
        "jw00747-o001_t002_nircam_f212n-wlp8-nrca3_{suffix}-04"
    ]


def test_time_series_only_for_observation_candidates(tmp_path):
    rows = [{
        "filename": f"jw_{n:05d}_uncal.fits", "program": "1366", "obs_num": 1,
        "exp_type": "NRC_TSIMAGE", "instrume": "NIRCAM", "detector": "NRCA3", "channel": "SHORT",
        "targetid": 1, "pntgtype": "SCIENCE", "filter": "F210M", "pupil": "CLEAR",
        "subarray": "SUBGRISM64", "is_psf": "F", "bkgdtarg": "F", "tsovisit": "T",
        "asn_candidate": "[('o001', 'observation'), ('c1000', 'group')]",
    } for n in (1, 2)]
    found = of_type(asnsql.generate(pool(tmp_path, rows)), "tso3")
    assert list(found) == ["jw01366-o001_tso3_00001_asn.json"]
    assert members(found["jw01366-o001_tso3_00001_asn.json"]) == [
        ("jw_00001_calints.fits", "science"), ("jw_00002_calints.fits", "science"),
    ]


def test_time_series_acquisitions_join_only_as_acquisitions(tmp_path):
    def row(n, exp_type, subarray="SUBGRISM64"):
        return {
            "filename": f"jw_{n:05d}_uncal.fits", "program": "1366", "obs_num": 1,
            "exp_type": exp_type, "instrume": "NIRCAM", "detector": "NRCA3", "channel": "SHORT",
            "targetid": 1, "pntgtype": "SCIENCE", "filter": "F210M", "pupil": "CLEAR",
            "subarray": subarray, "is_psf": "F", "bkgdtarg": "F", "tsovisit": "T",
            "asn_candidate": "[('o001', 'observation')]",
        }

    path = pool(tmp_path, [
        row(1, "NRC_TACQ", "SUB32TATS"), row(2, "NRC_TSIMAGE"), row(3, "NRC_TSIMAGE"),
        row(4, "NRC_TACONFIRM", "SUB32TATS"),
    ])
    found = of_type(asnsql.generate(path), "tso3")
    # The confirmation follows science of its observation and joins in
    # place; the acquisition before any science joins last.
    assert members(found["jw01366-o001_tso3_00001_asn.json"]) == [
        ("jw_00002_calints.fits", "science"), ("jw_00003_calints.fits", "science"),
        ("jw_00004_cal.fits", "target_acquisition"), ("jw_00001_cal.fits", "target_acquisition"),
    ]


def test_acquisitions_the_rule_accepts_wait_for_their_observation(tmp_path):
    def ami(n, obs, target, filt, pntgtype="SCIENCE", psf="F"):
        return {
            "filename": f"jw_{n:05d}_uncal.fits", "program": "1093", "obs_num": obs,
            "exp_type": "NIS_AMI", "instrume": "NIRISS", "detector": "NIS", "targetid": target,
            "pntgtype": pntgtype, "filter": filt, "pupil": "NRM", "subarray": "SUB80",
            "is_psf": psf, "bkgdtarg": "F", "tsovisit": "F",
            "asn_candidate": f"[('o{obs:03d}', 'observation')]",
        }

    path = pool(tmp_path, [
        ami(10, 4, 1, "F480M", pntgtype="TARGET_ACQUISITION"),
        ami(21, 2, 1, "F380M", pntgtype="TARGET_ACQUISITION"),
        ami(28, 1, 2, "F380M"),
        ami(33, 4, 1, "F380M", psf="T"),
        ami(34, 2, 1, "F380M"),
    ])
    found = of_type(asnsql.generate(path, discover=True), "ami3")
    # Row 21 (same filter) created the target 2 association and is re-offered
    # to target 1's; row 10 (another filter) joins as an acquisition only once
    # the PSF of its observation is in, so last. As jwst 3.0.0 writes them.
    assert members(found["jw01093-a3001_ami3_00001_asn.json"]) == [
        ("jw_00034_calints.fits", "science"), ("jw_00021_cal.fits", "target_acquisition"),
        ("jw_00033_calints.fits", "psf"), ("jw_00010_cal.fits", "target_acquisition"),
    ]
    assert members(found["jw01093-a3001_ami3_00002_asn.json"]) == [
        ("jw_00021_cal.fits", "target_acquisition"), ("jw_00028_calints.fits", "science"),
        ("jw_00033_calints.fits", "psf"), ("jw_00010_cal.fits", "target_acquisition"),
    ]
