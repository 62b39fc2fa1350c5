"""A synthetic archive: the fixture pools copied under fresh 5-digit program numbers.

    python benchmarks/synth.py OUT_DIR 10000          # pool files, about 10 000 exposures
    python benchmarks/synth.py OUT_DIR 10000 --table  # one Parquet table of pool rows instead

Each program number of each copy becomes a fresh one (in the ``program``
column; file names ``jw<n + 10000>_<n>_pool.csv`` are unique), so every pool
key and association name is new; the rows are otherwise the fixture's own, so every
copy generates what its fixture does. Pools the rules cannot process (no
``asn_candidate``) are left out.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "pools"
FIRST_PROGRAM = 10000


def _fixtures() -> list[tuple[list[str], int | None, int]]:
    """(lines, index of the program column or None, number of rows) of each usable fixture pool."""
    out = []
    for path in sorted(FIXTURES.glob("*.csv")):
        lines = path.read_text().splitlines(keepends=True)
        data = [i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
        header = [name.strip().lower() for name in lines[data[0]].rstrip("\r\n").split("|")]
        if "asn_candidate" not in header:
            continue
        out.append((lines, header.index("program") if "program" in header else None, len(data) - 1))
    return out


def _renumbered(lines: list[str], column: int | None, fresh) -> str:
    """The pool text with each program number replaced by a fresh one (``fresh()``)."""
    if column is None:
        return "".join(lines)
    out, seen_header, programs = [], False, {}
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            if seen_header:
                body = line.rstrip("\r\n")
                cells = body.split("|")
                if cells[column] not in programs:
                    programs[cells[column]] = fresh()
                cells[column] = programs[cells[column]]
                line = "|".join(cells) + line[len(body):]
            seen_header = True
        out.append(line)
    return "".join(out)


def make_archive(out_dir, n_exposures: int, pools: bool = True):
    """Write a synthetic archive of at least ``n_exposures`` pool rows.

    Parameters
    ----------
    out_dir : path
        Folder to write into (created).
    n_exposures : int
        Stop adding pools once this many rows are written.
    pools : bool
        True: one pool file per program; False: one Parquet table
        ``archive.parquet`` of every pool's rows, as
        :func:`asnsql.core.read_pools` gives them.

    Returns
    -------
    list of Path
        The pool files, or ``[archive.parquet]``.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written, rows = [], 0
    numbers = itertools.count(FIRST_PROGRAM)
    fresh = lambda: f"{next(numbers):05d}"  # noqa: E731
    for n, (lines, column, n_rows) in enumerate(itertools.cycle(_fixtures())):
        if rows >= n_exposures:
            break
        text = _renumbered(lines, column, fresh)
        path = out_dir / f"jw{FIRST_PROGRAM + n:05d}_{n:05d}_pool.csv"
        path.write_text(text)
        written.append(path)
        rows += n_rows
    if pools:
        return written
    import pyarrow.parquet as pq

    from asnsql import core

    table = out_dir / "archive.parquet"
    pq.write_table(core.read_pools(written), table)
    for path in written:
        path.unlink()
    return [table]


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("n_exposures", type=int)
@click.option("--table", is_flag=True, help="Write one Parquet table of pool rows, not pool files.")
def main(out_dir, n_exposures, table):
    """Write a synthetic archive of about N_EXPOSURES rows into OUT_DIR."""
    written = make_archive(out_dir, n_exposures, pools=not table)
    click.echo(f"wrote {len(written)} file(s) to {out_dir}")


if __name__ == "__main__":
    main()
