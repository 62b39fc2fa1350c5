"""`asnsql sql` through click's CliRunner: queries over a generation's views, --db."""

import json
from pathlib import Path

import duckdb
from click.testing import CliRunner

from asnsql.cli import main

POOLS = Path(__file__).resolve().parent.parent / "fixtures" / "pools"
MIRI = str(POOLS / "pool_002_image_miri.csv")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_aligned_table_by_default():
    result = run("sql", MIRI, "SELECT asn_type, count(*) AS n FROM associations GROUP BY ALL ORDER BY 1")
    assert result.exit_code == 0, result.output
    assert result.output == "asn_type  n\n--------  -\nimage2    8\nimage3    1\n"


def test_csv_prints_exact_rows_with_a_bound_parameter():
    result = run("sql", MIRI, "--csv",
                 "SELECT file_name, position, exptype FROM members WHERE filename = $f ORDER BY 1",
                 "-p", "f", "jw_00001_uncal.fits")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "file_name,position,exptype\n"
        "jw99009-o001_image2_00008_asn.json,1,science\n"
        "jw99009-o001_image3_00001_asn.json,1,science\n"
    )


def test_parameters_are_bound_not_pasted():
    result = run("sql", MIRI, "--csv", "SELECT count(*) AS n FROM pool WHERE filename = $f",
                 "-p", "f", "x' OR 1=1 --")
    assert result.output == "n\n0\n"


def test_several_parameters():
    result = run("sql", MIRI, "--csv",
                 "SELECT count(*) AS n FROM members WHERE exptype = $t AND file_name LIKE $like",
                 "-p", "t", "science", "-p", "like", "%image3%")
    assert result.output == "n\n8\n"


def test_json_is_a_list_of_objects():
    result = run("sql", MIRI, "--json", "SELECT * FROM runs ORDER BY run_id")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {"run_id": 1, "_pool": 0, "registry": "candidate", "cand_id": "o001",
             "cand_type": "observation"},
        {"run_id": 2, "_pool": 0, "registry": "discover", "cand_id": None,
             "cand_type": "discovered"},
    ]


def test_null_reads_null_in_a_table_and_empty_in_csv():
    query = "SELECT registry, cand_id FROM runs ORDER BY run_id"
    assert run("sql", MIRI, query).output.splitlines()[-1] == "discover   NULL"
    assert run("sql", MIRI, "--csv", query).output.splitlines()[-1] == "discover,"


def test_every_documented_view_is_there():
    for view in ("pool", "candidates", "candidate_order", "runs", "exposures", "items",
                 "associations", "members", "orphans"):
        result = run("sql", MIRI, "--csv", f"SELECT count(*) AS n FROM {view}")
        assert result.exit_code == 0, (view, result.output)


def test_generation_options_shape_the_views():
    query = "SELECT registry, count(*) AS n FROM items GROUP BY ALL ORDER BY 1"
    assert run("sql", MIRI, "--csv", "--discover", query).output == "registry,n\ndiscover,8\n"
    assert run("sql", MIRI, "--csv", "--all-candidates", query).output == "registry,n\ncandidate,8\n"
    assert run("sql", MIRI, "--csv", "-i", "o001", query).output == "registry,n\ncandidate,8\n"


def test_bad_sql_is_one_error_line():
    result = run("sql", MIRI, "SELEC 1")
    assert result.exit_code == 1
    assert result.output == 'Error: Parser Error: syntax error at or near "SELEC"\n'


def test_unknown_table_is_one_error_line():
    result = run("sql", MIRI, "SELECT * FROM nope")
    assert result.exit_code == 1
    assert result.output.startswith("Error: Catalog Error: Table with name nope does not exist!")
    assert result.output.count("\n") == 1


def test_unused_parameter_is_one_error_line():
    result = run("sql", MIRI, "SELECT 1", "-p", "x", "1")
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: ")


def test_query_or_db_is_needed():
    result = run("sql", MIRI)
    assert result.exit_code == 2
    assert "give a QUERY, or --db FILE" in result.output


def test_db_writes_tables_another_connection_reads(tmp_path):
    target = tmp_path / "pool_002.duckdb"
    result = run("sql", MIRI, "--db", target)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"wrote 9 tables to {target}:"
    assert "associations        9" in result.output
    con = duckdb.connect(str(target), read_only=True)
    counts = {
        name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
    }
    con.close()
    assert counts == {
        "associations": 9, "candidate_order": 1, "candidates": 8, "exposures": 8,
        "items": 16, "members": 16, "orphans": 0, "pool": 8, "runs": 2,
    }


def test_db_overwrites_its_tables_and_keeps_others(tmp_path):
    target = tmp_path / "out.duckdb"
    con = duckdb.connect(str(target))
    con.execute("CREATE TABLE notes AS SELECT 'mine' AS note")
    con.close()
    run("sql", MIRI, "--db", target)
    result = run("sql", MIRI, "--discover", "--db", target)
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(target), read_only=True)
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM associations").fetchone() == (1,)
    assert con.execute("SELECT note FROM notes").fetchone() == ("mine",)
    con.close()


def test_db_with_a_query_prints_the_answer_on_stdout(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["sql", MIRI, "--csv", "--db", str(tmp_path / "x.duckdb"),
                                  "SELECT count(*) AS n FROM associations"])
    assert result.exit_code == 0
    assert result.stdout == "n\n9\n"
    assert result.stderr.startswith("wrote 9 tables to ")


def test_db_that_is_not_a_database_is_one_error_line(tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("not a database")
    result = run("sql", MIRI, "--db", target)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {target}: not a DuckDB database file")
    assert result.output.count("\n") == 1


def test_missing_pool_is_one_error_line():
    result = run("sql", "missing.csv", "SELECT 1")
    assert result.exit_code == 1
    assert result.output == "Error: missing.csv: no such file\n"
