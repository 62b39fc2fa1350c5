"""Bad pools (issue 11, sections 2 and 4): one ``Error:`` line naming the pool, nothing written.

Every case goes through the shared contract of ``tests/badinput.py``; what
a case reads from standard input or a device runs in a child process. The
second half holds what now works that did not: pools on standard input,
literal paths, a byte-order mark before a comment, long fields.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from asnsql.cli import main
from asnsql.pool import MAX_COLUMNS, MAX_LINE_BYTES
from badinput import refuses, refuses_in_a_process

POOLS = Path(__file__).resolve().parent.parent / "fixtures" / "pools"
MIRI = POOLS / "pool_002_image_miri.csv"
GOOD = "FILENAME|EXP_TYPE|ASN_CANDIDATE\njw_1_uncal.fits|mir_image|[('o001', 'observation')]\n"


def miri_lines() -> list[str]:
    """The MIRI fixture without its comment lines: header first."""
    return [line for line in MIRI.read_text().splitlines() if not line.startswith("#")]


def write(folder: Path, name: str, content) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def generate(pool, out, *extra):
    return ["generate", pool, "-p", out, *extra]


# --- Text pools the reader refuses: (file name, content, texts the error names) ---

CASES = {
    "empty": (b"", ["empty file"]),
    "only_comments": ("# one\n# two\n\n", ["no header line"]),
    "nul_in_header": (b"FILENAME|A\x00B\nx|y\n", ["line 1", "binary"]),
    "latin1_header": ("FILENAME|CAF\xc9\nx|y\n".encode("latin-1"), ["line 1", "UTF-8"]),
    "duplicate_names": ("FILENAME|a|A\nx|1|2\n", ["duplicate column name 'a'"]),
    "empty_name": ("FILENAME||B\nx|1|2\n", ["column 2 has an empty name"]),
    "reserved_name": ("FILENAME|_ROW\nx|1\n", ["'_row' is reserved"]),
    "too_few_fields": (GOOD + "jw_2_uncal.fits|mir_image\n", ["line 3", "expected 3 fields, found 2"]),
    "too_many_fields": (GOOD + "jw_2_uncal.fits|a|b|c\n", ["line 3", "expected 3 fields, found 4"]),
    "after_comment_row_numbering": ("# c\n" + GOOD + "# c\n" + "x|y\n", ["line 5"]),
    "unclosed_quote": (GOOD + 'jw_2_uncal.fits|"mir_image|x\n', ["not a valid table"]),
    "latin1_data": ((GOOD + "jw_2_uncal.fits|CAF\xc9|x\n").encode("latin-1"), ["UTF-8"]),
    "no_filename_column": ("EXP_TYPE|ASN_CANDIDATE\nmir_image|[('o001', 'observation')]\n",
                           ["'filename'", "needed by the rules"]),
    "no_candidate_column": ("FILENAME|EXP_TYPE\njw_1_uncal.fits|mir_image\n",
                            ["'asn_candidate'", "needed by the rules"]),
    "bom_then_duplicates": ("\ufeff# c\nFILENAME|a|A\nx|1|2\n".encode(), ["duplicate column name"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_text_pool(tmp_path, case):
    content, texts = CASES[case]
    pool = write(tmp_path, f"{case}.csv", content)
    out = tmp_path / "out"
    refuses(generate(pool, out), names=[f"{case}.csv", *texts], out=out)


def test_header_longer_than_the_line_limit(tmp_path):
    # As the 20 MB header that took 50 minutes: stops at the first line.
    header = "FILENAME|ASN_CANDIDATE|" + "|".join(f"C{i}" for i in range(MAX_LINE_BYTES // 6))
    pool = write(tmp_path, "wide.csv", header + "\nx|y\n")
    out = tmp_path / "out"
    refuses(generate(pool, out), names=["wide.csv", "line 1", f"longer than {MAX_LINE_BYTES}"],
            out=out)


def test_data_line_longer_than_the_line_limit(tmp_path):
    lines = miri_lines()
    lines[3] = lines[3] + "x" * (MAX_LINE_BYTES + 1)
    pool = write(tmp_path, "long.csv", "\n".join(lines) + "\n")
    out = tmp_path / "out"
    refuses(generate(pool, out), names=["long.csv", "line 4", "longer than"], out=out)


def test_more_columns_than_the_limit(tmp_path):
    header = "FILENAME|ASN_CANDIDATE|" + "|".join(f"C{i}" for i in range(MAX_COLUMNS))
    pool = write(tmp_path, "columns.csv", header + "\n")
    out = tmp_path / "out"
    refuses(generate(pool, out), names=["columns.csv", f"more than the {MAX_COLUMNS}"], out=out)


def test_missing_pool(tmp_path):
    out = tmp_path / "out"
    refuses(generate(tmp_path / "absent.csv", out), names=["absent.csv", "no such file"], out=out)


def test_glob_pattern_is_not_expanded(tmp_path):
    # 'p*.csv' would match p1.csv: as a literal name it is missing.
    write(tmp_path, "p1.csv", MIRI.read_text())
    out = tmp_path / "out"
    refuses(generate(tmp_path / "p*.csv", out), names=["p*.csv", "no such file"], out=out)


def test_two_character_delimiter(tmp_path):
    out = tmp_path / "out"
    refuses(generate(MIRI, out, "-d", "||"), names=["pool_002_image_miri.csv", "delimiter"],
            out=out)


def test_unknown_pool_format(tmp_path):
    out = tmp_path / "out"
    refuses(generate(MIRI, out, "--pool-format", "no-such-format"),
            names=["pool_002_image_miri.csv", "no-such-format"], out=out)


VOTABLE = """<?xml version="1.0"?>
{doctype}
<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">
<RESOURCE><TABLE>
<FIELD name="FILENAME" datatype="char" arraysize="*"/>
<FIELD name="ASN_CANDIDATE" datatype="char" arraysize="*"/>
<DATA><TABLEDATA><TR><TD>{cell}</TD><TD>[('o001', 'observation')]</TD></TR></TABLEDATA></DATA>
</TABLE></RESOURCE></VOTABLE>
"""


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE VOTABLE [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>',
    '<!DOCTYPE VOTABLE [\n<!ENTITY x "internal">\n]>',
    '<!DOCTYPE VOTABLE SYSTEM "http://example.invalid/votable.dtd">',
], ids=["external_entity", "internal_entity", "external_dtd"])
def test_votable_with_entities(tmp_path, doctype):
    pool = write(tmp_path, "pool.xml", VOTABLE.format(doctype=doctype, cell="&x;"))
    out = tmp_path / "out"
    refuses(generate(pool, out, "--pool-format", "votable"),
            names=["pool.xml", "XML entities"], out=out)


def test_sql_db_onto_a_pool_file(tmp_path):
    pool = write(tmp_path, "pool.csv", MIRI.read_text())
    before = pool.read_bytes()
    refuses(["sql", pool, "--db", pool], names=["pool.csv", "not a DuckDB database"])
    assert pool.read_bytes() == before


def test_sql_db_onto_a_folder(tmp_path):
    refuses(["sql", MIRI, "--db", tmp_path], names=[str(tmp_path), "is a directory"])


# --- Standard input and devices: a real process --------------------------------------

def test_dev_zero_stops_at_the_line_limit(tmp_path):
    out = tmp_path / "out"
    refuses_in_a_process(generate("/dev/zero", out), names=["/dev/zero", "longer than"], out=out)


def test_stdin_of_zeros_stops_at_the_line_limit(tmp_path):
    out = tmp_path / "out"
    with open("/dev/zero", "rb") as zeros:
        refuses_in_a_process(generate("-", out), names=["-", "line 1", "longer than"], out=out,
                             stdin=zeros)


def test_empty_stdin(tmp_path):
    out = tmp_path / "out"
    refuses_in_a_process(generate("-", out), names=["-", "empty file"], out=out,
                         stdin=subprocess.DEVNULL)


def test_binary_on_dev_stdin(tmp_path):
    out = tmp_path / "out"
    with open(write(tmp_path, "bin", b"\xff\xfe\x00\x01|\x00\n"), "rb") as stream:
        refuses_in_a_process(generate("/dev/stdin", out), names=["/dev/stdin", "binary"],
                             out=out, stdin=stream)


# --- What now works ------------------------------------------------------------------

def run(*args, input=None):
    return CliRunner().invoke(main, [str(a) for a in args], input=input)


def names_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("source", ["-", "/dev/stdin"])
def test_pool_on_standard_input(tmp_path, source):
    by_file, by_stdin = tmp_path / "file", tmp_path / "stdin"
    assert run("generate", MIRI, "-p", by_file, "--save-orphans").exit_code == 0
    with open(MIRI, "rb") as stream:
        proc = subprocess.run([sys.executable, "-m", "asnsql", "generate", source, "-p",
                               str(by_stdin), "--save-orphans"], stdin=stream,
                              capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert names_in(by_stdin) == names_in(by_file)
    document = json.loads((by_stdin / "jw99009-o001_image3_00001_asn.json").read_text())
    assert document["asn_pool"] == "stdin"
    # Standard input was read once: the orphans re-read its private copy.
    assert (by_stdin / "orphaned.csv").read_text() == (by_file / "orphaned.csv").read_text()


def test_glob_characters_are_literal(tmp_path):
    # DuckDB's reader would read both files for 'p[12].csv' or 'p?.csv'.
    for name in ("p[12].csv", "p?.csv", "p1.csv", "p2.csv"):
        write(tmp_path, name, MIRI.read_text())
    for name in ("p[12].csv", "p?.csv"):
        out = tmp_path / f"out{len(name)}{name[1]}"
        result = run("generate", tmp_path / name, "-p", out, "-v")
        assert result.exit_code == 0, result.output
        assert f"from {len(miri_lines()) - 1} rows" in result.output


@pytest.mark.parametrize("prefix", ["\ufeff# a comment\n", "\ufeff"], ids=["comment", "header"])
def test_byte_order_mark(tmp_path, prefix):
    pool = write(tmp_path, "bom.csv", (prefix + MIRI.read_text()).encode())
    plain, bom = tmp_path / "plain", tmp_path / "bom"
    assert run("generate", MIRI, "-p", plain).exit_code == 0
    result = run("generate", pool, "-p", bom)
    assert result.exit_code == 0, result.output
    assert names_in(bom) == names_in(plain)


def test_fields_longer_than_the_csv_module_default(tmp_path):
    # 131,072 characters was the csv module's field limit (header split, astropy).
    lines = miri_lines()
    lines[0] += "|" + "N" * 200_000
    lines[1:] = [line + "|x" for line in lines[1:]]
    pool = write(tmp_path, "long.csv", "\n".join(lines) + "\n")
    result = run("generate", pool, "-p", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert names_in(tmp_path / "out") == names_in_generated(tmp_path)


def names_in_generated(tmp_path):
    out = tmp_path / "plain"
    run("generate", MIRI, "-p", out)
    return names_in(out)


def test_bare_integer_candidate_longer_than_any_integer_type(tmp_path):
    lines = miri_lines()
    header = lines[0].split("|")
    column = [name.lower() for name in header].index("asn_candidate")
    cells = lines[1].split("|")
    cells[column] = "+00" + "9" * 45
    lines[1] = "|".join(cells)
    pool = write(tmp_path, "big.csv", "\n".join(lines) + "\n")
    result = run("generate", pool, "-p", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert f"jw99009-{'9' * 45}_image3_00001_asn.json" in names_in(tmp_path / "out")


def test_sql_takes_several_ids_after_one_i():
    query = "SELECT DISTINCT cand_id FROM runs WHERE cand_id IS NOT NULL ORDER BY 1"
    pool = POOLS / "pool_001_candidates.csv"
    before = run("sql", pool, "--csv", "-i", "o001", "o002", query)
    after = run("sql", pool, query, "--csv", "-i", "o001", "o002")
    assert before.exit_code == 0, before.output
    assert before.output == after.output == "cand_id\no001\no002\n"
