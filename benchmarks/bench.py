"""Time asnsql against jwst's asn_generate on the same pools.

    python benchmarks/bench.py                       # asnsql on mega_pool
    python benchmarks/bench.py --jwst                # and jwst, if .venv-ref exists
    python benchmarks/bench.py --pool pool_003_image_nircam --repeat 10

asnsql is timed end to end through the CLI (a fresh process: imports, rule
loading, pool reading, generation, writing) and in process (``generate``
only, after a warm-up). jwst is timed end to end through ``asn_generate``.
Each figure is the median of ``--repeat`` runs (jwst: one run; it is slow).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
REF_BIN = ROOT / ".venv-ref" / "bin" / "asn_generate"


def time_command(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def time_cli(pool: Path, repeat: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            times.append(time_command(
                [sys.executable, "-m", "asnsql.cli", "generate", str(pool), "-p", out], ROOT
            ))
            count = len(list(Path(out).glob("*.json")))
    return statistics.median(times), count


def in_process_times(pool: Path, repeat: int) -> list[float]:
    """Wall seconds of ``repeat`` calls of ``asnsql.generate(pool)`` after a warm-up."""
    import asnsql

    asnsql.generate(pool)  # warm-up: imports, rule checks, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        asnsql.generate(pool)
        times.append(time.perf_counter() - start)
    return times


def time_in_process(pool: Path, repeat: int) -> float:
    return statistics.median(in_process_times(pool, repeat))


def time_jwst(pool: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as out:
        shutil.copy(pool, out)
        seconds = time_command([str(REF_BIN), Path(pool).name], Path(out))
        count = len(list(Path(out).glob("*.json")))
    return seconds, count


@click.command()
@click.option("--pool", "pools", multiple=True, default=["mega_pool"], show_default=True,
              help="Pool stem under fixtures/pools (repeatable).")
@click.option("--repeat", default=5, show_default=True, help="Runs per asnsql figure.")
@click.option("--jwst/--no-jwst", default=False, show_default=True,
              help="Also time jwst's asn_generate from .venv-ref (minutes on mega_pool).")
def main(pools, repeat, jwst):
    """Print asnsql's (and jwst's) time per pool, and the ratio."""
    if jwst and not REF_BIN.exists():
        raise click.ClickException(f"{REF_BIN} not found; see fixtures/README.md to make .venv-ref")
    click.echo(f"{'pool':32s} {'rows':>5s} {'files':>6s} {'asnsql cli':>11s} "
               f"{'in-process':>11s} {'jwst':>9s} {'jwst/asnsql':>12s}")
    for stem in pools:
        pool = ROOT / "fixtures" / "pools" / f"{stem}.csv"
        rows = sum(1 for line in pool.read_text().splitlines() if line and not line.startswith("#")) - 1
        cli, files = time_cli(pool, repeat)
        inproc = time_in_process(pool, repeat)
        ref = ratio = "-"
        if jwst:
            seconds, ref_files = time_jwst(pool)
            ref, ratio = f"{seconds:8.1f}s", f"{seconds / cli:11.0f}x"
            files = f"{files}/{ref_files}"
        click.echo(f"{stem:32s} {rows:5d} {files!s:>6s} {cli:10.2f}s {inproc:10.2f}s "
                   f"{ref:>9s} {ratio:>12s}")


if __name__ == "__main__":
    main()
