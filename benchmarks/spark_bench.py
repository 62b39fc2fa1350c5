"""Time the archive pass: the local engine, Spark local[2], and a standalone cluster on loopback.

    python benchmarks/spark_bench.py                           # 10 000 exposures
    python benchmarks/spark_bench.py -n 10000 -n 100000 --json out.json
    python benchmarks/spark_bench.py --engines local,local[2]  # no cluster

On a synthetic archive (``benchmarks/synth.py``) of each size:

- ``local``: one plain process, ``core.read_pools`` then ``core.associate``
  over the whole archive (DuckDB with its default threads).
- ``local[2]``: ``asnsql.spark.generate`` on a Spark session in local mode.
- ``cluster``: a standalone master and two one-core workers on 127.0.0.1,
  started here with pyspark's bundled ``spark-class`` and stopped after.

Each Spark engine runs in a fresh process, which reports the session's
start-up, the run itself (pools read on the driver, generation, results
collected), and the per-task cost: a job of tiny pools that fail at once,
run with 2 and with 2 + K tasks. Every engine's documents are checked to be
the local engine's, byte for byte (a digest over every row).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import make_archive  # noqa: E402

EXTRA_TASKS = 40
# 1 M exposures are ~1 GB of pool rows and ~2 GB of documents on the driver.
DRIVER_MEMORY = os.environ.get("ASNSQL_BENCH_DRIVER_MEMORY", "8g")


def digest(table) -> str:
    """One hash over every (pool, file name, document, error), in order."""
    table = table.sort_by([("asn_pool", "ascending"), ("file_name", "ascending")])
    h = hashlib.sha256()
    for row in zip(*(table.column(c).to_pylist() for c in ("asn_pool", "file_name", "document", "error"))):
        h.update(json.dumps(row).encode())
    return h.hexdigest()


def run_local(paths: list[Path]) -> dict:
    """One plain process: the core over chunks of whole pools, as ``asnsql generate`` does.

    One pass over the whole archive would hold every pool's tables at once
    (some 2.5 GB a 150 k exposures); chunks of ``archive.CHUNK_BYTES`` keep
    one chunk in memory, as the CLI's archive run does.
    """
    import pyarrow as pa

    from asnsql import core
    from asnsql.archive import chunks_of

    start = time.perf_counter()
    read = 0.0
    parts = []
    for indexes in chunks_of(paths):
        t = time.perf_counter()
        batch = core.read_pools([paths[i] for i in indexes])
        read += time.perf_counter() - t
        parts.append(core.associate(batch))
    out = pa.concat_tables(parts)
    return {"engine": "local", "run_s": time.perf_counter() - start, "read_s": read,
            "rows": out.num_rows, "digest": digest(out)}


def run_spark_child(master: str, paths: list[str], partitions: int | None) -> dict:
    """In this (fresh) process: start a session on ``master``, time the run and the per-task cost."""
    import pyarrow as pa

    from asnsql import core
    from asnsql import spark as asnspark

    start = time.perf_counter()
    spark = asnspark.session(master, {"spark.ui.enabled": "false", "spark.executor.memory": "1g",
                                          # the driver holds the pools read and every document
                                          "spark.driver.memory": DRIVER_MEMORY,
                                          "spark.driver.maxResultSize": "0"})
    spark.range(1).count()  # executors up
    startup = time.perf_counter() - start
    start = time.perf_counter()
    out = asnspark.generate(paths, spark, partitions=partitions).toArrow()
    run = time.perf_counter() - start
    tasks = spark.sparkContext.defaultParallelism * asnspark.TASKS_PER_CORE if partitions is None else partitions
    # Tiny pools that fail at once (no asn_candidate): what remains is Spark's cost per task.
    n = 2 + EXTRA_TASKS
    tiny = spark.createDataFrame(pa.table({core.POOL_COLUMN: [f"t{i}" for i in range(n)],
                                           core.ROW_COLUMN: [0] * n, "exp_type": ["x"] * n})).cache()
    tiny.count()
    timings = {}
    for k in (2, n, 2, n):  # twice each; the second of each is kept (warm workers)
        start = time.perf_counter()
        asnspark.generate(tiny, spark, partitions=k).count()
        timings[k] = time.perf_counter() - start
    spark.stop()
    return {"engine": master, "startup_s": startup, "run_s": run, "tasks": min(tasks, len(paths)),
            "per_task_s": (timings[n] - timings[2]) / EXTRA_TASKS, "rows": out.num_rows,
            "digest": digest(out)}


def run_spark(master: str, paths: list[Path], partitions: int | None) -> dict:
    """Run :func:`run_spark_child` in a fresh Python process."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(map(str, paths)))
    try:
        argv = [sys.executable, __file__, "--child", master, "--paths-file", f.name]
        if partitions:
            argv += ["--partitions", str(partitions)]
        done = subprocess.run(argv, check=True, capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    return json.loads(done.stdout.strip().splitlines()[-1])


class LoopbackCluster:
    """A standalone master and ``workers`` one-core workers on 127.0.0.1, as a context manager."""

    def __init__(self, scratch: Path, workers: int = 2):
        import pyspark

        self.home = Path(pyspark.__file__).parent
        self.scratch, self.workers, self.procs = scratch, workers, []

    def _start(self, name: str, *args: str) -> None:
        log = open(self.scratch / f"{name}.log", "w")
        env = {**os.environ, "SPARK_HOME": str(self.home), "SPARK_LOCAL_IP": "127.0.0.1",
               "PYSPARK_PYTHON": sys.executable}
        self.procs.append(subprocess.Popen([str(self.home / "bin" / "spark-class"), *args],
                                           stdout=log, stderr=subprocess.STDOUT, env=env,
                                           start_new_session=True))

    def __enter__(self) -> str:
        port = _free_port()
        self.url = f"spark://127.0.0.1:{port}"
        self._start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", str(port), "--webui-port", str(_free_port()))
        _wait_for_port(port)
        for i in range(self.workers):
            work = self.scratch / f"worker{i}"
            work.mkdir()
            self._start(f"worker{i}", "org.apache.spark.deploy.worker.Worker", self.url,
                        "--host", "127.0.0.1", "--cores", "1", "--memory", "2g",
                        "--webui-port", str(_free_port()), "--work-dir", str(work))
        time.sleep(5)  # workers register with the master
        return self.url

    def __exit__(self, *exc) -> None:
        for proc in reversed(self.procs):
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise RuntimeError(f"Spark master did not listen on port {port}")


@click.command()
@click.option("-n", "--exposures", "sizes", type=int, multiple=True, help="Archive size (repeatable).")
@click.option("--engines", default="local,local[2],cluster", show_default=True)
@click.option("--partitions", type=int, help="Spark tasks (default: asnsql.spark's).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--child", hidden=True)
@click.option("--paths-file", hidden=True, type=click.Path(path_type=Path))
def main(sizes, engines, partitions, json_out, child, paths_file):
    """Time the local engine, Spark local[2] and a loopback cluster on synthetic archives."""
    if child:
        paths = paths_file.read_text().split("\n")
        click.echo(json.dumps(run_spark_child(child, paths, partitions)))
        return
    results = []
    for size in sizes or (10000,):
        with tempfile.TemporaryDirectory(prefix="asnsql-bench-") as tmp:
            paths = make_archive(Path(tmp) / "pools", size)
            for engine in engines.split(","):
                if engine == "local":
                    result = run_local(paths)
                elif engine == "cluster":
                    with LoopbackCluster(Path(tmp)) as url:
                        result = {**run_spark(url, paths, partitions), "engine": "cluster (2 workers)"}
                else:
                    result = run_spark(engine, paths, partitions)
                result.update(exposures=size, pools=len(paths))
                results.append(result)
                click.echo(json.dumps(result), err=True)
    local = {r["exposures"]: r["digest"] for r in results if r["engine"] == "local"}
    for r in results:
        r["same_bytes"] = local.get(r["exposures"], r["digest"]) == r["digest"]
    click.echo(f"{'exposures':>9} {'pools':>5}  {'engine':<20} {'run s':>7} {'start-up s':>10} "
               f"{'tasks':>5} {'per task s':>10}  same bytes")
    for r in results:
        click.echo(f"{r['exposures']:>9} {r['pools']:>5}  {r['engine']:<20} {r['run_s']:>7.1f} "
                   f"{r.get('startup_s', 0):>10.1f} {r.get('tasks', 1):>5} "
                   f"{r.get('per_task_s', 0):>10.3f}  {r['same_bytes']}")
    if json_out:
        json_out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
