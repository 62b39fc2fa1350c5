"""Candidates: parsed as text, ordered as the reference orders its passes."""

import duckdb
import pytest

from asnsql import engine
from asnsql.pool import load_pools


def build(tmp_path, cells, mode=engine.Mode()):
    rows = "\n".join(f"jw_{i:05d}_uncal.fits|{cell}" for i, cell in enumerate(cells))
    path = tmp_path / "p.csv"
    path.write_text("FILENAME|ASN_CANDIDATE\n" + rows + "\n")
    con = duckdb.connect()
    (info,), _ = load_pools(con, [path])
    engine.install_views(con)
    engine.build_exposures(con, info.columns, [])
    engine.build_candidates(con)
    unknown = engine.build_runs(con, mode).get(0, [])
    engine.build_items(con)
    return con, unknown


def test_pairs_are_read_without_evaluation(tmp_path):
    con, _ = build(tmp_path, [
        "[('o001', 'observation'), ('c1000', 'mosaic')]",
        "[('o002', 'observation')]",
        "__import__('os').system('true')",
        "5",
    ])
    got = con.execute("SELECT _row, cand_pos, cand_id, cand_type FROM candidates ORDER BY ALL").fetchall()
    assert got == [
        (0, 1, "o001", "observation"),
        (0, 2, "c1000", "mosaic"),
        (1, 1, "o002", "observation"),
        (3, 1, "5", "unknown"),
    ]


def test_pass_order_is_type_then_first_appearance(tmp_path):
    con, _ = build(tmp_path, [
        "[('o002', 'observation'), ('c1001', 'mosaic')]",
        "[('c1000', 'mosaic'), ('o001', 'observation')]",
    ])
    runs = con.execute("SELECT run_id, registry, cand_id FROM runs ORDER BY run_id").fetchall()
    assert runs == [
        (1, "candidate", "o002"),
        (2, "candidate", "o001"),
        (3, "candidate", "c1001"),
        (4, "candidate", "c1000"),
        (5, "discover", None),
    ]


def test_candidate_rows_are_chosen_by_substring(tmp_path):
    """The reference's quirk: candidate o001 also takes rows of o0011."""
    con, _ = build(tmp_path, ["[('o001', 'observation')]", "[('o0011', 'observation')]"])
    got = con.execute(
        "SELECT _row, item_candidate FROM items WHERE cand_id = 'o001' ORDER BY _row"
    ).fetchall()
    assert got == [(0, "[('o001', 'observation')]"), (1, "[('o001', 'observation')]")]


def test_ids_keep_their_order_and_report_unknown(tmp_path):
    mode = engine.Mode(candidates=True, discover=False, ids=("o002", "o009", "o001"))
    con, unknown = build(tmp_path, ["[('o001', 'observation')]", "[('o002', 'observation')]"], mode)
    assert con.execute("SELECT cand_id FROM runs ORDER BY run_id").fetchall() == [("o002",), ("o001",)]
    assert unknown == ["o009"]


@pytest.mark.parametrize("cell", ["null", "", "[]", "[('o001')]", "('o001', 'observation')"])
def test_cells_that_name_no_candidate(tmp_path, cell):
    con, _ = build(tmp_path, [cell, "[('o001', 'observation')]"])
    assert con.execute("SELECT count(*) FROM candidates WHERE _row = 0").fetchone() == (0,)
