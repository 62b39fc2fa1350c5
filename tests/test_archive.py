"""Many pools in one pass: asnsql.archive, asnsql.core and `generate POOLS...`."""

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from click.testing import CliRunner

import asnsql
from asnsql import core
from asnsql.archive import generate_many, write_files
from asnsql.cli import main

POOLS = Path(__file__).resolve().parent.parent / "fixtures" / "pools"
MIRI = POOLS / "pool_002_image_miri.csv"
NIRCAM = POOLS / "pool_003_image_nircam.csv"
NIRISS = POOLS / "pool_005_spec_niriss.csv"
THREE = [MIRI, NIRCAM, NIRISS]


def texts(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.glob("*.json"))}


@pytest.fixture(scope="module")
def singles(tmp_path_factory):
    """Each pool generated alone: what a batch must reproduce byte for byte."""
    out = {}
    for pool in THREE:
        out[pool.name] = asnsql.generate(pool).texts
    return out


def test_a_batch_is_each_pool_alone(tmp_path, singles):
    for chunk in generate_many(THREE):
        write_files(chunk, tmp_path)
    for pool in THREE:
        assert texts(tmp_path / pool.stem) == singles[pool.name]


def test_chunks_of_whole_pools_give_the_same_bytes(tmp_path, singles):
    sizes = []
    for chunk in generate_many(THREE, chunk_bytes=1):
        sizes.append(len(chunk.outcomes))
        write_files(chunk, tmp_path)
    assert sizes == [1, 1, 1]
    for pool in THREE:
        assert texts(tmp_path / pool.stem) == singles[pool.name]


@pytest.mark.parametrize("passes", [2, 3])
def test_passes_at_once_give_the_chunks_in_order_and_the_same_bytes(tmp_path, singles, passes):
    seen = []
    for chunk in generate_many(THREE, chunk_bytes=1, passes=passes):
        seen.append([o.asn_pool for o in chunk.outcomes])
        write_files(chunk, tmp_path)
    assert seen == [[pool.name] for pool in THREE]
    for pool in THREE:
        assert texts(tmp_path / pool.stem) == singles[pool.name]


def test_chunks_for_passes_at_once_are_a_multiple_of_them_and_alike(monkeypatch):
    from asnsql import archive

    # Sizes in bytes (a stand-in for the files' sizes), one large pool among them.
    sizes = [300, 120, 80, 500, 60, 40, 200, 700, 100, 150]
    monkeypatch.setattr(archive, "_size", lambda source: sizes[source])
    monkeypatch.setattr(archive, "MIN_PASS_BYTES", 100)
    pools = list(range(len(sizes)))
    for passes, chunk_bytes, count in ((2, 10_000, 2), (2, 700, 4), (3, 500, 6), (2, 1, 10)):
        runs = list(archive.chunks_of(pools, chunk_bytes, passes))
        # Every pool once, in order, none split.
        assert [i for run in runs for i in run] == pools
        # A multiple of the passes, enough for about chunk_bytes each (or
        # one pool each, when the pools are fewer).
        assert len(runs) == count
    # Shared as evenly as whole pools allow: 2,250 bytes as 1,100 and 1,150.
    assert [sum(sizes[i] for i in run) for run in archive.chunks_of(pools, 10_000, 2)] == [1100, 1150]
    # Too little text for passes at once: runs of about chunk_bytes, as with one.
    monkeypatch.setattr(archive, "MIN_PASS_BYTES", 2000)
    assert list(archive.chunks_of(pools, 10_000, 2)) == [pools]
    assert list(archive.chunks_of(pools, 500, 1)) == [[0, 1, 2], [3], [4, 5, 6], [7], [8, 9]]


def test_passes_at_once_share_the_cores(monkeypatch):
    from asnsql import archive

    real, threads = archive.run_chunk, []

    def watched(con, *args, **kwargs):
        threads.append(con.execute("SELECT current_setting('threads')").fetchone()[0])
        return real(con, *args, **kwargs)

    monkeypatch.setattr(archive, "run_chunk", watched)
    # DuckDB's own default is what it sees of the machine: ask for another.
    default = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]
    monkeypatch.setattr(archive.os, "cpu_count", lambda: 2 * (default + 1))
    for _ in generate_many(THREE, chunk_bytes=1, passes=2):
        pass
    assert threads == [default + 1] * 3
    threads.clear()
    for _ in generate_many(THREE, chunk_bytes=1, passes=2, threads=3):
        pass
    assert threads == [3, 3, 3]
    # One chunk: it has every core DuckDB would give it.
    threads.clear()
    for _ in generate_many(THREE, passes=2):
        pass
    assert threads == [default]


def test_passes_run_at_once_but_no_more_than_asked(monkeypatch):
    import threading

    from asnsql import archive

    real, started = archive.run_chunk, []
    both = threading.Barrier(2, timeout=20)  # broken unless two passes run at once

    def watched(con, sources, indexes, *args, **kwargs):
        started.append(indexes[0])
        if len(started) <= 2:
            both.wait()
        return real(con, sources, indexes, *args, **kwargs)

    monkeypatch.setattr(archive, "run_chunk", watched)
    taken = []
    for chunk in generate_many(THREE * 2, chunk_bytes=1, passes=2):
        taken.append(chunk.outcomes[0].index)
        # The chunk in hand and at most one pass beyond it.
        assert len(started) <= len(taken) + 1
    assert taken == started == list(range(6))


def test_a_run_stopped_early_interrupts_the_passes_left(tmp_path):
    # Fail-fast with two passes at once: the second chunk may be running when
    # the first fails; it is interrupted and never comes out.
    bad = tmp_path / "bad.csv"
    bad.write_text("FILENAME|ASN_CANDIDATE\na|b|c\n")
    got = [[o.asn_pool for o in chunk.outcomes]
           for chunk in generate_many([bad, MIRI, NIRCAM], chunk_bytes=1, passes=2,
                                      fail_fast=True)]
    assert got == [["bad.csv"]]
    # A caller that stops taking chunks: the passes still running are discarded.
    chunks = generate_many(THREE, chunk_bytes=1, passes=2)
    first = next(chunks)
    assert [o.asn_pool for o in first.outcomes] == [MIRI.name]
    chunks.close()
    with pytest.raises(duckdb.ConnectionException):
        first.con.execute("SELECT 1")


def test_a_failing_rule_fails_the_run_with_passes_at_once(tmp_path):
    from asnsql.errors import RuleError

    rule = tmp_path / "asn_bad.sql"
    # It fails as it runs: a file name is no number.
    rule.write_text(CUSTOM.format(name="Asn_Bad", extra="",
                                  where="WHERE CAST(filename AS INTEGER) = 1"))
    with pytest.raises(RuleError, match="asn_bad.sql"):
        for _ in generate_many(THREE, chunk_bytes=1, passes=2, rules=[rule],
                               ignore_default=True):
            pass


def test_a_bad_pool_fails_alone(tmp_path, singles):
    bad = tmp_path / "bad.csv"
    bad.write_text("FILENAME|ASN_CANDIDATE\na|b|c\n")
    for chunk in generate_many([MIRI, bad, NIRISS]):
        assert [o.error is None for o in chunk.outcomes] == [True, False, True]
        assert chunk.outcomes[1].error == f"{bad}: line 2: expected 2 fields, found 3"
        write_files(chunk, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [MIRI.stem, NIRISS.stem]
    assert texts(tmp_path / "out" / NIRISS.stem) == singles[NIRISS.name]


def test_candidate_rows_are_chosen_by_substring(tmp_path):
    """The reference's `o001 in cell` test: o001's pass also sees the rows of o0011.

    An equality join on the parsed candidates would leave row 1 out of o001.
    """
    pool = tmp_path / "p.csv"
    pool.write_text(
        "FILENAME|PROGRAM|INSTRUME|EXP_TYPE|TARGETID|ASN_CANDIDATE\n"
        "a.fits|1|miri|mir_image|1|[('o001', 'observation')]\n"
        "b.fits|1|miri|mir_image|1|[('o0011', 'observation')]\n"
        "c.fits|1|miri|mir_image|1|[('c1000', 'mosaic')]\n"
        "d.fits|1|miri|mir_image|1|o001 written by hand\n"
    )
    result = asnsql.generate(pool, all_candidates=True)
    seen = result.con.execute(
        "SELECT cand_id, list(_row ORDER BY _row) FROM items GROUP BY cand_id ORDER BY cand_id"
    ).fetchall()
    assert seen == [("c1000", [2]), ("o001", [0, 1, 3]), ("o0011", [1])]
    listed = result.con.execute(
        "SELECT list(_row ORDER BY _row) FROM candidates WHERE cand_id = 'o001'").fetchone()
    assert listed == ([0],)


def test_ids_made_of_punctuation_use_the_plain_test(tmp_path):
    pool = tmp_path / "p.csv"
    pool.write_text(
        "FILENAME|PROGRAM|INSTRUME|EXP_TYPE|TARGETID|ASN_CANDIDATE\n"
        "a.fits|1|miri|mir_image|1|[('o001', 'observation'), (' ', 'background')]\n"
        "b.fits|1|miri|mir_image|1|[('o002', 'observation')]\n"
    )
    result = asnsql.generate(pool, ids=[" "])
    # ' ' occurs in both cells, between the quoted words.
    assert result.con.execute("SELECT list(_row ORDER BY _row) FROM items").fetchone() == ([0, 1],)


def test_documents_name_the_pool_given(tmp_path):
    from astropy.table import Table

    table = Table.read(MIRI, format="ascii", delimiter="|")
    result = asnsql.generate(table, name="miri.csv")
    assert {d["asn_pool"] for d in result.documents.values()} == {"miri.csv"}
    assert result.texts == {
        name: text.replace('"pool_002_image_miri.csv"', '"miri.csv"')
        for name, text in asnsql.generate(MIRI).texts.items()
    }


def test_core_batch_survives_a_shuffle(singles):
    batch = core.read_pools(THREE)
    assert batch.column_names[:2] == ["asn_pool", "pool_row"]
    shuffled = batch.take(pa.array(list(reversed(range(batch.num_rows)))))
    out = core.associate(shuffled).to_pylist()
    got = {}
    for row in out:
        assert row["error"] is None
        got.setdefault(row["asn_pool"], {})[row["file_name"]] = row["document"]
    assert got == singles
    assert [(r["asn_pool"], r["file_name"]) for r in out] == sorted(
        (r["asn_pool"], r["file_name"]) for r in out)


def test_core_keeps_each_pools_own_columns(tmp_path):
    """An absent column and a present but empty one write different documents."""
    source = POOLS / "pool_008_exposerr.csv"
    lines = [line for line in source.read_text().splitlines() if not line.startswith("#")]
    header = lines[0].split("|")
    column = [name.lower() for name in header].index("exposerr")

    def without(line):
        cells = line.split("|")
        return "|".join(cells[:column] + cells[column + 1:])

    def emptied(line, n):
        cells = line.split("|")
        return "|".join(cells[:column] + ([""] if n else [cells[column]]) + cells[column + 1:])

    (tmp_path / "with.csv").write_text(
        "\n".join(emptied(line, n) for n, line in enumerate(lines)) + "\n")
    (tmp_path / "without.csv").write_text("\n".join(map(without, lines)) + "\n")
    batch = core.read_pools([tmp_path / "with.csv", tmp_path / "without.csv"])
    assert set(batch.column("exposerr").to_pylist()) == {"", None}
    members = {}
    for row in core.associate(batch).to_pylist():
        for product in json.loads(row["document"])["products"]:
            for member in product["members"]:
                members.setdefault(row["asn_pool"], set()).add(member["exposerr"])
    assert members == {"with.csv": {"null"}, "without.csv": {None}}


def test_core_names_a_pool_it_cannot_generate():
    batch = pa.table({"asn_pool": ["x.csv", "y.csv"], "pool_row": [0, 0],
                      "filename": ["a.fits", None], "asn_candidate": ["[('o001', 'observation')]", None],
                      **{key: ["1", "1"] for key in ("program", "instrume", "exp_type", "targetid")}})
    rows = core.associate(batch).to_pylist()
    assert [r for r in rows if r["error"]] == [{
        "asn_pool": "y.csv", "file_name": None, "asn_type": None, "asn_rule": None,
        "product_name": None, "document": None,
        "error": "y.csv: pool has no column(s) 'asn_candidate', 'filename' needed by the rules",
    }]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_writes_one_folder_per_pool(tmp_path, singles):
    result = run("generate", MIRI, NIRISS, "-p", tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [MIRI.stem, NIRISS.stem]
    assert texts(tmp_path / MIRI.stem) == singles[MIRI.name]


def test_cli_folder_means_its_csv_files(tmp_path):
    folder = tmp_path / "pools"
    folder.mkdir()
    for pool in (NIRISS, MIRI):
        (folder / pool.name).write_bytes(pool.read_bytes())
    (folder / "notes.txt").write_text("not a pool")
    result = run("generate", folder, "-p", tmp_path / "out", "-v")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "9 associations from 8 rows of pool_002_image_miri.csv",
        "5 associations from 4 rows of pool_005_spec_niriss.csv",
    ]


def test_cli_a_bad_pool_is_named_and_the_others_complete(tmp_path):
    missing = tmp_path / "missing.csv"
    result = run("generate", MIRI, missing, NIRISS, "-p", tmp_path / "out")
    assert result.exit_code == 1
    assert result.output.splitlines() == [f"Error: {missing}: no such file"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [MIRI.stem, NIRISS.stem]


def test_cli_fail_fast_stops_at_the_first_failing_chunk(tmp_path):
    missing = tmp_path / "missing.csv"
    result = CliRunner().invoke(main, ["generate", str(missing), str(MIRI), "-p",
                                       str(tmp_path / "out"), "--fail-fast"])
    assert result.exit_code == 1
    assert "Error: " in result.output


@pytest.mark.parametrize("suffix", [".parquet", ".duckdb"])
def test_cli_into_a_table_holds_the_files_bytes(tmp_path, suffix, singles):
    target = tmp_path / f"asns{suffix}"
    result = run("generate", MIRI, NIRISS, "-p", tmp_path / "out", "--into", target)
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    con = duckdb.connect()
    source = f"'{target}'" if suffix == ".parquet" else "t.associations"
    if suffix == ".duckdb":
        con.execute(f"ATTACH '{target}' AS t (READ_ONLY)")
    rows = con.execute(f"SELECT asn_pool, file_name, document FROM {source}").fetchall()
    got = {}
    for pool, name, text in rows:
        got.setdefault(pool, {})[name] = text
    assert got == {MIRI.name: singles[MIRI.name], NIRISS.name: singles[NIRISS.name]}


def test_the_table_is_the_same_bytes_whatever_the_passes(tmp_path, monkeypatch):
    # Row groups of a fixed size (here 7 rows), not one a chunk: --jobs and
    # --chunk-mb change how the work is cut, never the file.
    from asnsql.archive import TableSink

    monkeypatch.setattr(TableSink, "ROW_GROUP_ROWS", 7)
    made = []
    for n, extra in enumerate([["-j", "1"], ["-j", "2", "--chunk-mb", "0.001"],
                               ["-j", "3", "--chunk-mb", "0.001"]]):
        target = tmp_path / f"t{n}.parquet"
        result = run("generate", *THREE, "--into", target, *extra)
        assert result.exit_code == 0, result.output
        made.append(target.read_bytes())
    import pyarrow.parquet as pq
    meta = pq.ParquetFile(tmp_path / "t0.parquet").metadata
    rows = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert rows[:-1] == [7] * (len(rows) - 1) and 0 < rows[-1] <= 7 and len(rows) > 3
    assert made[1] == made[0] and made[2] == made[0]


def test_cli_into_refuses_other_kinds(tmp_path):
    result = run("generate", MIRI, "--into", tmp_path / "x.csv")
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'x.csv'}: --into takes a .parquet or .duckdb file\n"


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path):
    result = CliRunner().invoke(main, ["generate", str(MIRI), str(NIRISS), "-p", str(tmp_path)])
    assert result.exit_code == 0
    assert result.output == ""


@pytest.mark.parametrize("into", [None, "asns.parquet"], ids=["files", "table"])
def test_cli_passes_of_one_pool_each_give_the_same_bytes(tmp_path, singles, into):
    # --chunk-mb 0.001 makes each of these pools (and a bad one) a pass of
    # its own: each pass's output is written while the next is generated.
    bad = tmp_path / "bad.csv"
    bad.write_text("FILENAME|ASN_CANDIDATE\na|b|c\n")
    pools = [MIRI, bad, NIRCAM, NIRISS]
    args = ["generate", *pools, "-p", tmp_path / "out", "--chunk-mb", "0.001", "-v"]
    if into:
        args += ["--into", tmp_path / into]
    from asnsql.archive import CHUNK_BYTES, chunks_of
    assert len(list(chunks_of([str(p) for p in pools], int(0.001 * (1 << 20))))) == 4
    assert len(list(chunks_of([str(p) for p in pools], CHUNK_BYTES))) == 1
    result = run(*args)
    assert result.exit_code == 1
    assert f"Error: {bad}: line 2: expected 2 fields, found 3" in result.output
    assert [line for line in result.output.splitlines() if "associations from" in line] == [
        f"{len(singles[p.name])} associations from {n} rows of {p.name}"
        for p, n in ((MIRI, 8), (NIRCAM, rows_of(NIRCAM)), (NIRISS, rows_of(NIRISS)))]
    if into:
        got = {}
        for pool, name, text in duckdb.sql(
                f"SELECT asn_pool, file_name, document FROM '{tmp_path / into}'").fetchall():
            got.setdefault(pool, {})[name] = text
    else:
        got = {p.name: texts(tmp_path / "out" / p.stem) for p in THREE}
        assert not (tmp_path / "out" / "bad").exists()
    assert got == {p.name: singles[p.name] for p in THREE}


def rows_of(pool: Path) -> int:
    lines = [x for x in pool.read_text().splitlines() if x.strip() and not x.startswith("#")]
    return len(lines) - 1


def test_spent_steps_dropped_give_the_same_bytes(tmp_path, singles):
    from asnsql.final import SPENT

    spent = {name for names in SPENT.values() for name in names}
    for chunk in generate_many(THREE, publish=False, keep_steps=False):
        held = {name for (name,) in chunk.con.execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()"
        ).fetchall()}
        import fnmatch
        assert not [h for h in held if any(fnmatch.fnmatchcase(h, n)
                                           for n in spent | {"pool", "asn_fate"})]
        assert {"documents", "doc_member", "pools"} <= held
        write_files(chunk, tmp_path)
    for pool in THREE:
        assert texts(tmp_path / pool.stem) == singles[pool.name]


def test_published_tables_keep_the_pool_they_read(tmp_path):
    for chunk in generate_many([MIRI], keep_steps=False):
        assert chunk.con.execute("SELECT count(*) FROM orphans").fetchone() == (0,)
        assert chunk.con.execute("SELECT count(*) FROM pool").fetchone()[0] > 0


def _reads(text: str) -> str:
    """SQL text without its comments and string literals: what it reads."""
    import re
    return re.sub(r"--[^\n]*|'(?:[^']|'')*'", " ", text)


def test_no_later_step_reads_what_is_spent():
    import re
    from asnsql.final import SPENT
    from asnsql.sqlfiles import sql_root

    order = ["rules", "10_assemble.sql", "20_finalize.sql", "30_survivors.sql",
             "40_documents.sql"]
    assert set(SPENT) <= set(order)
    for step, names in SPENT.items():
        later = order[order.index(step) + 1:]
        for file in later:
            text = _reads((sql_root() / "final" / file).read_text())
            read = [n for n in names
                    if re.search(r"\b" + n.replace("*", r"\w*") + r"\b", text)]
            assert not read, f"{file} reads {read}, dropped after {step}"


def documents_and_made(chunks) -> tuple[dict, int]:
    """(asn_pool, file name) -> JSON text of every chunk's documents, and how
    many associations the rules made."""
    documents, made = {}, 0
    for chunk in chunks:
        documents |= {(pool, name): text for pool, name, text in chunk.con.execute(
            "SELECT p.asn_pool, d.file_name, d.document FROM documents AS d"
            " JOIN pools AS p USING (_pool)").fetchall()}
        made += chunk.con.execute("SELECT count(*) FROM asn_made").fetchone()[0]
    return documents, made


def test_skipping_the_passes_that_make_only_invalid_associations_gives_the_same_bytes():
    # Without the steps' tables, a rule skips the passes whose candidate type
    # makes all it could make there invalid: every fixture pool still gets the
    # same documents, from fewer associations.
    pools = sorted(POOLS.glob("*.csv"))
    every, made_every = documents_and_made(generate_many(pools))
    lean, made_lean = documents_and_made(generate_many(pools, publish=False, keep_steps=False))
    assert len(every) > 1000 and lean == every
    assert made_lean < made_every * 0.8


CUSTOM = """\
-- name = "{name}"
-- asn_type = "spec2"
-- level = 2
-- shape = "single_science"
-- purpose = "A test rule."
{extra}
SELECT run_id, _row, 'science' AS role, 'science' AS exptype, filename AS expname,
    [program] AS group_key, [] AS optional_key
FROM items
{where}
"""


def test_a_candidate_id_of_the_discovery_letter_still_runs_every_rule(tmp_path):
    # The discovery filter drops a discovered association that a candidate
    # association of the same type and members repeats, valid or not, when
    # both ids start alike: here a group candidate `a0001`, whose Stage 2
    # association is invalid, still hides the one discovered (valid: its rule
    # takes any candidate) with the same member. Skipped, it would not.
    rules = [tmp_path / "a.sql", tmp_path / "b.sql"]
    rules[0].write_text(CUSTOM.format(name="Asn_AnyDiscovered", extra='-- candidates = "any"',
                                      where="WHERE registry = 'discover'"))
    rules[1].write_text(CUSTOM.format(name="Asn_Candidate", extra="", where=""))
    pool = tmp_path / "jw00001_pool.csv"
    pool.write_text("program|filename|exp_type|asn_candidate\n"
                    "1|jw_a_rate.fits|nrs_fixedslit|[('a0001', 'group')]\n")

    def both():
        options = {"rules": rules, "ignore_default": True}
        return (documents_and_made(generate_many([pool], **options)),
                documents_and_made(generate_many([pool], publish=False, keep_steps=False,
                                                 **options)))

    (every, made_every), (lean, made_lean) = both()
    assert lean == every == {}
    # Only Asn_Candidate's invalid discovered association was skipped.
    assert (made_every, made_lean) == (3, 2)
    # A candidate id that cannot match: its pass is skipped, the same file written.
    pool.write_text(pool.read_text().replace("a0001", "c0001"))
    (every, made_every), (lean, made_lean) = both()
    assert lean == every and len(every) == 1
    assert (made_every, made_lean) == (3, 1)
