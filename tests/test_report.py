"""The HTML report (asnsql.report): every association, member and orphan is on the page, escaped."""

import re
from pathlib import Path

import pytest
from htmltree import parse

import asnsql
from asnsql import report
from asnsql.errors import PoolError
from asnsql.explain import explain_rows

POOLS = Path(__file__).resolve().parent.parent / "fixtures" / "pools"
CORON = POOLS / "pool_013_coron_nircam.csv"
MIRI = POOLS / "pool_002_image_miri.csv"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def coron():
    generation = asnsql.generate(CORON)
    built = report.build(generation)
    page = report.render([built])
    return generation, built, page, parse(page)


def card_name(card):
    return card.find("h5").text().split(". ", 1)[1]


def cards(tree):
    return {card_name(el): el for el in tree.find_all("article", class_="card")}


def test_every_association_has_a_card_in_document_order(coron):
    generation, _, _, tree = coron
    names = [card_name(el) for el in tree.find_all("article", class_="card")]
    assert sorted(names) == sorted(generation.documents)
    # Within each candidate, cards come in the documents' order.
    order = {name: i for i, name in enumerate(generation.documents)}
    for group in tree.find_all("section", class_="group"):
        mine = [card_name(el) for el in group.find_all("article")]
        assert mine == sorted(mine, key=order.get)


def test_cards_say_rule_type_product_and_members_in_order(coron):
    generation, _, _, tree = coron
    found = cards(tree)
    for name, doc in generation.documents.items():
        card = found[name]
        fields = dict(zip([dt.text() for dt in card.find_all("dt")],
                          [dd.text() for dd in card.find_all("dd")], strict=True))
        product = doc["products"][0]
        assert fields == {"asn_rule": doc["asn_rule"], "asn_type": doc["asn_type"],
                          "product": product["name"]}
        rows = [[td.text() for td in tr.find_all("td")] for tr in card.find("tbody").find_all("tr")]
        assert [row[:3] for row in rows] == [[str(i), m["expname"], m["exptype"]]
                                             for i, m in enumerate(product["members"], start=1)]
        exp_types = generation.con.execute(
            "SELECT coalesce(p.exp_type, '') FROM members AS m LEFT JOIN pool AS p USING (_row)"
            " WHERE m.file_name = $f ORDER BY m.position", {"f": name}).fetchall()
        assert [row[3] for row in rows] == [e for (e,) in exp_types]


def test_matrix_marks_each_member_under_its_association(coron):
    generation, _, _, tree = coron
    con = generation.con
    for group in tree.find_all("section", class_="group"):
        matrix = group.find("table", class_="matrix")
        columns = [a.attrs["title"] for a in matrix.find("thead").find_all("a")]
        seen = set()
        for tr in matrix.find("tbody").find_all("tr"):
            exposure = tr.find("th").text()
            cells = tr.find_all("td")[4:]
            assert len(cells) == len(columns)
            for file_name, td in zip(columns, cells, strict=True):
                if td.text():
                    seen.add((file_name, exposure, td.attrs["title"]))
        expected = set(con.execute(
            "SELECT file_name, filename, exptype FROM members WHERE list_contains($f, file_name)",
            {"f": columns}).fetchall())
        assert seen == expected


def test_matrix_shows_an_exposure_shared_by_several_associations(coron):
    # Coronagraphy: one PSF reference serves several coron3 products.
    _, built, _, _ = coron
    shared = [m for g in built.groups for m in g.matrix if m.count > 1]
    assert shared and all(m.total >= m.count for m in shared)


def test_summary_counts(coron):
    generation, built, _, tree = coron
    stats = {dt.text(): int(dt.parent.find("dd").text())
             for dt in tree.find("dl", class_="stats").find_all("dt")}
    con = generation.con
    assert stats == {
        "pool rows": 66,
        "candidates": con.execute("SELECT count(*) FROM candidate_order").fetchone()[0],
        "associations": len(generation.documents),
        "orphans": 2,
    }
    counts = [[td.text() for td in tr.find_all("td")]
              for tr in tree.find("table", class_="counts").find("tbody").find_all("tr")]
    assert [[t, r, int(n)] for t, r, n in counts] == [list(r) for r in con.execute(
        "SELECT asn_type, asn_rule, count(*) FROM associations GROUP BY ALL ORDER BY ALL"
    ).fetchall()]
    assert sum(int(n) for *_, n in counts) == built.n_associations == 88


def test_every_orphan_is_listed_with_the_closest_rules_reason(coron):
    generation, built, _, tree = coron
    rows = tree.find("table", class_="orphans").find("tbody").find_all("tr")
    expected = generation.con.execute("SELECT _row, filename FROM orphans ORDER BY _row").fetchall()
    listed = [(int(tr.find_all("td")[0].text()), tr.find_all("td")[1].text()) for tr in rows]
    assert listed == expected
    explained = {e.row: e for e in explain_rows(generation, [r for r, _ in expected])}
    for orphan in built.orphans:
        outcomes = explained[orphan.row].outcomes
        best = max((o.made, o.met) for o in outcomes)
        closest = {o.rule for o in outcomes if (o.made, o.met) == best}
        assert orphan.reasons and {why.rule for why in orphan.reasons} <= closest
        # Not the rules that fail on their first condition, when some came closer.
        assert best > (False, 0)
        farthest = {o.rule for o in outcomes if (o.made, o.met) == (False, 0)}
        assert not farthest & {why.rule for why in orphan.reasons}
    text = rows[0].find_all("td")[-1].text()
    assert re.search(r"Asn_\w+ \((candidate \w+|discovery)[^)]*\): (not met|meets every)", text)


def test_page_is_self_contained(coron):
    *_, page, tree = coron
    assert not tree.find_all("link") and not tree.find_all("img") and not tree.find_all("iframe")
    assert all("src" not in el.attrs for el in tree.iter())
    assert all(el.attrs["href"].startswith("#") for el in tree.find_all("a"))
    assert not re.search(r"https?://|url\(|@import", page)
    scripts = tree.find_all("script")
    assert len(scripts) == 1 and "addEventListener" in scripts[0].text()


def test_tables_have_headers_and_the_colours_have_words(coron):
    *_, tree = coron
    for table in tree.find_all("table"):
        heads = table.find("thead").find_all("th")
        assert heads and all(th.attrs.get("scope") == "col" for th in heads)
    coloured = [td for td in tree.find_all("td") if td.attrs.get("class", "").startswith("x-")]
    assert coloured
    for td in coloured:  # a coloured cell says its exptype, in a word or its code
        said = td.attrs.get("title", td.text())
        assert td.attrs["class"] == report.exptype_class(said)
        assert td.text() in (said, report.exptype_code(said))
    legend = {li.find("b").text(): li.text().split(" ", 1)[1]
              for li in tree.find("ul", class_="legend").find_all("li")}
    assert legend == {"psf": "psf", "sci": "science", "ta": "target_acquisition"}


def hostile_pool(tmp_path):
    """pool_002 with markup in one exposure's file name and an orphan whose exp_type is markup."""
    lines = MIRI.read_text().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("jw_00001_uncal.fits|"))
    lines[first] = lines[first].replace("jw_00001_uncal.fits", f"jw_00001{HOSTILE}_uncal.fits", 1)
    orphan = lines[first + 1].replace("jw_00002_uncal.fits", "jw_00999_uncal.fits", 1)
    orphan = orphan.replace("MIR_IMAGE", '<img src=x onerror="alert(2)">', 1)
    path = tmp_path / "hostile.csv"
    path.write_text("\n".join(lines + [orphan]) + "\n")
    return path


def test_hostile_cells_stay_text(tmp_path):
    path = hostile_pool(tmp_path)
    out = tmp_path / "report.html"
    (built,) = report.write_report([path], out)
    page = out.read_text()
    tree = parse(page)
    assert len(tree.find_all("script")) == 1 and not tree.find_all("img")
    assert "<script>alert" not in page and "<img src=x" not in page
    assert f"jw_00001{HOSTILE}_uncal.fits" in tree.find("table", class_="matrix").text()
    assert any(HOSTILE in td.text() for td in tree.find_all("td"))
    orphans = tree.find("table", class_="orphans").text()
    assert '<img src=x onerror="alert(2)">' in orphans.lower()
    assert all(not name.startswith("on") for el in tree.iter() for name in el.attrs)
    assert built.n_associations > 0


def test_several_pools_give_a_section_each_with_contents(tmp_path):
    out = tmp_path / "two.html"
    report.write_report([MIRI, POOLS / "pool_003_image_nircam.csv"], out, reasons=False)
    tree = parse(out.read_text())
    sections = tree.find_all("section", class_="pool")
    assert [s.find("h2").text() for s in sections] == ["pool_002_image_miri.csv",
                                                       "pool_003_image_nircam.csv"]
    assert [a.attrs["href"] for a in tree.find("nav").find_all("a")] == ["#p0", "#p1"]
    ids = [el.attrs["id"] for el in tree.iter() if "id" in el.attrs]
    assert len(ids) == len(set(ids))


def test_a_folder_gives_its_csv_pools_by_name(tmp_path):
    for name in ("b.csv", "a.csv", "notes.txt"):
        (tmp_path / name).write_text("")
    assert [p.name for p in report.pool_files([tmp_path])] == ["a.csv", "b.csv"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(report.ReportError, match="empty: folder holds no"):
        report.pool_files([tmp_path / "empty"])


def test_without_reasons_orphans_are_listed_unexplained():
    built = report.build(asnsql.generate(MIRI, ids=["o001"]), reasons=False)
    page = report.render([built])
    assert all(o.reasons is None for o in built.orphans)
    assert "why not" not in page


def test_output_is_deterministic_and_written_whole(tmp_path):
    out = tmp_path / "sub" / "r.html"
    report.write_report([MIRI], out, reasons=False)
    first = out.read_bytes()
    report.write_report([MIRI], out, reasons=False)
    assert out.read_bytes() == first
    assert [p.name for p in out.parent.iterdir()] == ["r.html"]  # no temporary file left
    with pytest.raises(PoolError):
        report.write_report([tmp_path / "missing.csv"], out)
    assert out.read_bytes() == first


def test_template_ships_with_the_package():
    from importlib.resources import files

    names = {p.name for p in files("asnsql").joinpath("templates").iterdir()}
    assert {"report.html.j2", "report.css", "report.js"} <= names
