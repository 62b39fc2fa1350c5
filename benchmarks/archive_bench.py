"""Archive-scale timings: many pools in one run, single pools of growing size, jwst beside.

    python benchmarks/archive_bench.py                 # 10k and 100k exposures
    python benchmarks/archive_bench.py --sizes 10000 100000 1000000
    python benchmarks/archive_bench.py --jwst-sample 8  # also jwst on 8 small pools

Each run is a fresh ``asnsql generate`` process; wall time, CPU time (user +
system, all threads) and peak memory (max RSS) come from the kernel's
accounting of that child. The synthetic archive is the fixture pools copied
under fresh program numbers (``benchmarks/synth.py``); a "single pool" is
copies of mega_pool in one file, every copy under its own program and
exposure file names. Writes ``docs/performance.md`` and
``docs/performance.png`` (matplotlib: ``pip install matplotlib``).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REF_BIN = ROOT / ".venv-ref" / "bin" / "asn_generate"
ASNSQL = [sys.executable, "-m", "asnsql.cli"]


# --drop-caches: the kernel's page cache is emptied before each archive-scale
# run, and once before the sub-second cases. On this project's VMs creating
# files slows many-fold as the cache grows over a long session (600 us a
# file instead of 60; mega_pool's 858 files take 0.02 s after the cache is
# emptied, up to 0.7 s of system time after a million files); a fresh
# machine has none. The sub-second cases then run once untimed, so that
# they do not time Python reading its own modules back from disk.
DROP_CACHES = False


def drop_caches() -> None:
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError as err:
        raise click.ClickException(f"--drop-caches needs root: {err}") from None


def measure(argv: list[str], cwd: Path | None = None, large: bool = False) -> dict:
    """Run a command; its wall and CPU seconds and peak RSS (MB)."""
    if DROP_CACHES and large:
        drop_caches()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    stderr = proc.stderr.read().decode()
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise click.ClickException(f"{argv[:4]} failed ({code}): {stderr.strip()[-300:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024}


# The same fixed work on every run of this benchmark, none of it asnsql's:
# the VM's speed drifts between sessions by more than most changes move the
# figures, so the report says how fast the machine was while it measured.
CALIBRATION = r"""
import json, time, duckdb
doc = {"asn_type": "image3", "products": [{"name": "p", "members": [
    {"expname": f"jw{i:05d}_uncal.fits", "exptype": "science"} for i in range(8)]}]}
start = time.process_time()
for _ in range(20000):
    json.dumps(doc, indent=4)
python_s = time.process_time() - start
con = duckdb.connect(config={"threads": 2})
start = time.perf_counter()
con.execute("SELECT sum(hash(i % 1000003)), count(DISTINCT i % 700001) FROM range(30000000) t(i)")
con.fetchall()
duckdb_s = time.perf_counter() - start
print(json.dumps({"python_s": python_s, "duckdb_s": duckdb_s}))
"""


def measure_machine(runs: int = 3) -> dict:
    """The fastest of ``runs`` of the fixed work: Python's JSON encoder (CPU s), a DuckDB query (wall s)."""
    got = [json.loads(subprocess.run([sys.executable, "-c", CALIBRATION], check=True,
                                     capture_output=True, text=True).stdout)
           for _ in range(runs)]
    return {key: min(g[key] for g in got) for key in got[0]}


def measure_median(argv_of, runs: int = 5) -> dict:
    """The run of median wall time among ``runs`` (``argv_of(i)`` for run i), with the range.

    A sub-second case drifts between runs by more than a change moves it.
    """
    got = sorted((measure(argv_of(i)) for i in range(runs)), key=lambda r: r["wall"])
    return {**got[runs // 2], "min": got[0]["wall"], "max": got[-1]["wall"], "runs": runs}


def measure_in_process(pool: Path, runs: int = 7) -> dict:
    """``asnsql.generate`` in one process (after a warm-up): the median of ``runs``, the range.

    It runs in a process of its own (``bench.in_process_times``): the peak
    RSS Linux reports for a child counts the memory of the parent it forked
    from, so this one must stay small.
    """
    out = subprocess.run(
        [sys.executable, "-c", "import json, sys; sys.path.insert(0, sys.argv[1]); import bench;"
         " print(json.dumps(bench.in_process_times(sys.argv[2], int(sys.argv[3]))))",
         str(Path(__file__).resolve().parent), str(pool), str(runs)],
        capture_output=True, text=True, check=True)
    walls = json.loads(out.stdout)
    return {"wall": statistics.median(walls), "min": min(walls), "max": max(walls), "runs": runs}


def one_pool(out: Path, n_rows: int) -> Path:
    """One pool of about ``n_rows`` rows: mega_pool copied under fresh programs and file names."""
    source = ROOT / "fixtures" / "pools" / "mega_pool.csv"
    lines = [line for line in source.read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    header, data = lines[0], lines[1:]
    names = [n.strip().lower() for n in header.split("|")]
    program, filename = names.index("program"), names.index("filename")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w") as f:
        f.write(header + "\n")
        copy = 0
        while copy * len(data) < n_rows:
            for line in data:
                cells = line.split("|")
                cells[program] = f"{20000 + copy:05d}"
                cells[filename] = cells[filename].replace("jw", f"jw{copy:05d}x", 1)
                f.write("|".join(cells) + "\n")
            copy += 1
    return out


def count_rows(paths) -> int:
    return sum(max(0, sum(1 for line in open(p) if line.strip() and not line.startswith("#")) - 1)
               for p in paths)


def bench_archive(work: Path, size: int, table_only: bool) -> list[dict]:
    folder = work / f"archive_{size}"
    pools = synth.make_archive(folder, size)
    rows = count_rows(pools)
    results = []
    into = work / f"into_{size}.parquet"
    r = measure(ASNSQL + ["generate", str(folder), "-p", str(work / "unused"), "-q",
                          "--into", str(into)], large=True)
    n_docs = int(subprocess.run([sys.executable, "-c", (
        "import duckdb,sys; print(duckdb.sql(f\"SELECT count(*) FROM '{sys.argv[1]}'\")"
        ".fetchall()[0][0])"), str(into)], capture_output=True, text=True).stdout)
    results.append({"case": "archive", "output": "table", "rows": rows, "pools": len(pools),
                    "associations": n_docs, **r})
    if not table_only:
        out = work / f"out_{size}"
        r = measure(ASNSQL + ["generate", str(folder), "-p", str(out), "-q"], large=True)
        results.append({"case": "archive", "output": "files", "rows": rows, "pools": len(pools),
                        "associations": n_docs, **r})
        shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    into.unlink(missing_ok=True)
    return results


def bench_single(work: Path, size: int) -> dict:
    pool = one_pool(work / f"single_{size}" / "jw20000_big_pool.csv", size)
    into = work / f"single_{size}.parquet"
    r = measure(ASNSQL + ["generate", str(pool), "-q", "--into", str(into)], large=True)
    shutil.rmtree(pool.parent, ignore_errors=True)
    into.unlink(missing_ok=True)
    return {"case": "one pool", "output": "table", "rows": size, "pools": 1,
            "associations": None, **r}


def bench_marginal(work: Path, stem: str = "pool_002_image_miri", counts=(50, 1000)) -> dict:
    """A small pool's cost inside a batch: (t(many copies) - t(few copies)) / extra copies."""
    source = ROOT / "fixtures" / "pools" / f"{stem}.csv"
    runs = {}
    for count in counts:
        folder = work / f"copies_{count}"
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            shutil.copy(source, folder / f"jw{30000 + i:05d}_{stem}.csv")
        runs[count] = measure(ASNSQL + ["generate", str(folder), "-q", "--into",
                                        str(work / f"copies_{count}.parquet")])
        shutil.rmtree(folder, ignore_errors=True)
    few, many = counts
    return {"pool": stem, "counts": counts, "runs": runs,
            "marginal_cpu_ms": 1000 * (runs[many]["cpu"] - runs[few]["cpu"]) / (many - few),
            "marginal_wall_ms": 1000 * (runs[many]["wall"] - runs[few]["wall"]) / (many - few)}


def bench_jwst(work: Path, sample: int) -> dict:
    """jwst's asn_generate on the first ``sample`` pools of a synthetic archive, one by one."""
    folder = work / "jwst_sample"
    pools = sorted(synth.make_archive(folder, sample * 60))[:sample]
    rows = count_rows(pools)
    total = {"wall": 0.0, "cpu": 0.0, "rss_mb": 0.0}
    for pool in pools:
        r = measure([str(REF_BIN), pool.name, "-p", str(folder / "out")], cwd=folder)
        total["wall"] += r["wall"]
        total["cpu"] += r["cpu"]
        total["rss_mb"] = max(total["rss_mb"], r["rss_mb"])
    mine = measure(ASNSQL + ["generate", *map(str, pools), "-p", str(folder / "ours"), "-q"])
    shutil.rmtree(folder, ignore_errors=True)
    return {"rows": rows, "pools": len(pools), "jwst": total, "asnsql": mine}


def _fixture_text(case: str, r: dict) -> str:
    text = f"{case} {r['wall']:.2f} s wall"
    if "runs" in r:
        text += f" (median of {r['runs']}, {r['min']:.2f}-{r['max']:.2f}"
        return text + (f"; {r['cpu']:.2f} s CPU)" if "cpu" in r else ")")
    return text + f" ({r['cpu']:.2f} s CPU)"


def write_report(results: list[dict], jwst: dict | None, path: Path, marginal=None,
                 fixtures=None, machine=None) -> None:
    lines = [
        "# Performance",
        "",
        "Made by `python benchmarks/archive_bench.py` (a fresh `asnsql generate` process per",
        "row; CPU is user + system over all threads; memory is peak RSS). Machine: 2 cores,",
        "24 GB, otherwise idle. Its speed drifts by up to 20% within a session and about",
        "twofold between sessions (jwst's four pools below: 144 s one session, 262 s the",
        "next, on the same code), and creating",
        "files slows several-fold over a long session as the kernel's page cache grows (a",
        "small file: 60 us after `echo 3 > /proc/sys/vm/drop_caches`, 600 us before);",
        "`--drop-caches` empties it before each archive-scale run and once before the",
        "sub-second cases (after one untimed warm-up run), as a fresh machine has it.",
        "asnsql runs with its defaults: two chunk passes at once (`--jobs 2`), one DuckDB",
        "thread each, the pools cut into an even number of chunks of like size, at most",
        "24 MB of pool text each (a pool is never split: one pool is one pass, on both cores).",
        "",
    ]
    if machine:
        at = "; ".join(
            f"{when} {m['python_s']:.2f} s and {m['duckdb_s']:.2f} s"
            for when, m in machine.items())
        lines += [
            "How fast the machine was (the same fixed work on every run, none of it",
            "asnsql's: `json.dumps(indent=4)` of a small document 20,000 times, CPU",
            "seconds; a DuckDB aggregate over 30 M rows on 2 threads, wall seconds):",
            f"{at}. Compare these between runs before comparing the rest.",
            "",
        ]
    lines += [
        "| case | output | exposures | pools | associations | wall s | CPU s | peak MB | rows/s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    # Archive rows first, by size, then single pools.
    for r in sorted(results, key=lambda r: (r["case"] != "archive", r["rows"], r["output"] != "table")):
        made = f"{r['associations']:,}" if r["associations"] else ""
        lines.append(
            f"| {r['case']} | {r['output']} | {r['rows']:,} | {r['pools']:,} | {made} | "
            f"{r['wall']:.1f} | {r['cpu']:.1f} | {r['rss_mb']:.0f} | {r['rows'] / r['wall']:,.0f} |"
        )
    if jwst:
        j, a = jwst["jwst"], jwst["asnsql"]
        lines += [
            "",
            f"jwst 3.0.0 `asn_generate` on {jwst['pools']} of these pools ({jwst['rows']:,} exposures),",
            f"one process per pool: {j['wall']:.1f} s wall, {j['cpu']:.1f} s CPU, {j['rss_mb']:.0f} MB"
            " peak. asnsql on the same",
            f"pools in one run: {a['wall']:.1f} s wall, {a['cpu']:.1f} s CPU, {a['rss_mb']:.0f} MB peak "
            f"({j['wall'] / a['wall']:.0f}x faster).",
        ]
    if marginal:
        lines += [
            "",
            f"A small pool inside a batch ({marginal['pool']}, 8 rows, 9 associations): "
            f"{marginal['marginal_cpu_ms']:.1f} ms CPU, {marginal['marginal_wall_ms']:.1f} ms wall "
            f"a pool (runs of {marginal['counts'][0]} and {marginal['counts'][1]} copies).",
        ]
    if fixtures:
        lines += [
            "",
            "Fixture pools: " + ", ".join(_fixture_text(k, v) for k, v in fixtures.items()) + ".",
        ]
    lines += ["", "![wall time against exposures](performance.png)", ""]
    # Sections written by other benchmarks (`## On Spark, ...`) stay as they are.
    kept = ""
    if path.exists():
        text = path.read_text()
        at = text.find("\n## ")
        kept = text[at + 1:] if at >= 0 else ""
    path.write_text("\n".join(lines) + ("\n" + kept if kept else ""))


def plot(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
    for (case, output), marker in ((("archive", "table"), "o"), (("archive", "files"), "s"),
                                   (("one pool", "table"), "^")):
        pts = [(r["rows"], r["wall"]) for r in results if (r["case"], r["output"]) == (case, output)]
        if pts:
            ax.plot(*zip(*sorted(pts)), marker=marker, label=f"{case}, {output}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("exposures")
    ax.set_ylabel("wall seconds")
    ax.set_title("asnsql generate: time against size (log-log; linear is slope 1)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


@click.command()
@click.option("--sizes", multiple=True, type=int, default=[10000, 100000], show_default=True)
@click.option("--single", "singles", multiple=True, type=int, default=[10000, 100000],
              show_default=True, help="Sizes of the one-pool runs.")
@click.option("--table-only", is_flag=True, help="Skip writing files (the slowest part).")
@click.option("--jwst-sample", default=0, show_default=True,
              help="Also time jwst on this many small pools (needs .venv-ref).")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Scratch folder (default: a temporary one).")
@click.option("--add", is_flag=True,
              help="Keep the rows of docs/performance.json this run does not measure again.")
@click.option("--drop-caches", "drop", is_flag=True,
              help="Empty the kernel's page cache before each archive-scale run (needs root).")
def main(sizes, singles, table_only, jwst_sample, work, add, drop):
    """Time asnsql at archive scale and write docs/performance.md with a plot.

    docs/performance.json keeps the figures; ``--add`` measures only what
    is asked and keeps the other rows (e.g. ``--sizes 1000000 --table-only
    --single 0 --add``).
    """
    global DROP_CACHES
    DROP_CACHES = drop
    work = work or Path(tempfile.mkdtemp(prefix="asnsql-bench-"))
    machine = {"at the start": measure_machine()}
    click.echo(machine)
    results = []
    for size in sizes:
        if size <= 0:  # --sizes 0: none
            continue
        for r in bench_archive(work, size, table_only):
            click.echo(r)
            results.append(r)
    for size in singles:
        if size <= 0:  # --single 0: none
            continue
        r = bench_single(work, size)
        click.echo(r)
        results.append(r)
    results_now = list(results)
    marginal = bench_marginal(work)
    click.echo(marginal)
    mega = ROOT / "fixtures" / "pools" / "mega_pool.csv"
    if DROP_CACHES:
        drop_caches()
        measure(ASNSQL + ["generate", str(mega), "-p", str(work / "mega-warm-up"), "-q"])
    fixtures = {
        "mega_pool through the CLI": measure_median(lambda i: ASNSQL + [
            "generate", str(mega), "-p", str(work / f"mega{i}"), "-q"]),
        "mega_pool in process": measure_in_process(mega),
        "all fixture pools in one run": measure_median(lambda i: ASNSQL + [
            "generate", str(ROOT / "fixtures" / "pools"), "-p", str(work / f"fixtures{i}"), "-q"]),
    }
    click.echo(fixtures)
    jwst = None
    if jwst_sample:
        if not REF_BIN.exists():
            raise click.ClickException(f"{REF_BIN} not found; see fixtures/README.md")
        jwst = bench_jwst(work, jwst_sample)
        click.echo(jwst)
    machine["at the end"] = measure_machine()
    click.echo(machine)
    saved = ROOT / "docs" / "performance.json"
    if add and saved.exists():
        old = json.loads(saved.read_text())
        fresh = {(r["case"], r["output"], r["rows"]) for r in results}
        results = [r for r in old["results"] if (r["case"], r["output"], r["rows"]) not in fresh]
        results += [r for r in results_now]
        jwst = jwst or old.get("jwst")
    saved.write_text(json.dumps({"results": results, "jwst": jwst, "marginal": marginal,
                                 "fixtures": fixtures, "machine": machine}, indent=1))
    write_report(results, jwst, ROOT / "docs" / "performance.md", marginal, fixtures, machine)
    plot(results, ROOT / "docs" / "performance.png")
    click.echo("wrote docs/performance.md and docs/performance.png")


if __name__ == "__main__":
    main()
