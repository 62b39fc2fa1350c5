"""Where one engine pass spends its time: every SQL statement, timed.

    python benchmarks/profile_pass.py POOL_OR_FOLDER...          # top 25 statements
    python benchmarks/profile_pass.py fixtures/pools/mega_pool.csv --top 60 --steps

Runs the pools through one pass (:func:`asnsql.archive.run_chunk`, sandboxed
and without the steps' tables, as the CLI runs it; ``--all-steps`` as
``asnsql.generate`` does) with a connection that times each statement it is
given: wall and CPU seconds (CPU over all threads), how many times it ran,
and its first words. ``--steps`` also sums them by engine step (reading,
items, rules, shapes, finalising, documents). This is how the figures in
``docs/performance.md``'s "What bounds it" were measured.
"""

from __future__ import annotations

import collections
import fnmatch
import re
import threading
import time

import click
import duckdb

from asnsql.archive import expand_sources, run_chunk
from asnsql.registry import load_rules

# The engine step a statement belongs to, by the table or view it makes
# (fnmatch patterns; the first that matches), else by its first words.
STEPS = [
    ("stage bases", ("stage3_items", "stage3_aux_items", "wfss_items", "stage2_items")),
    ("shapes", ("rule_runs", "rule_members*", "rule_skips", "rule_info")),
    ("rules", ("rule_rows",)),
    ("documents", ("documents", "doc_*", "asn_out", "associations", "members", "orphans")),
    ("finalising", ("asn_*", "made_*", "final_options", "product_pruned")),
    ("reading pools", ("__asnsql_*", "pool", "pools", "DESCRIBE pool*", "*disabled_optimizers*")),
    ("candidates and items", ("candidates", "candidate_*", "runs", "items", "exposures", "wanted")),
]

# What a statement makes (or drops): its first CREATE, INSERT INTO or DROP.
MADE = re.compile(r"(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:TABLE|VIEW)\s+"
                  r"|INSERT\s+INTO\s+|DROP\s+(?:TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?)\"?(\w+)")


class TimedConnection:
    """A DuckDB connection that times each ``execute`` and ``sql`` call.

    Its cursors (the engine runs shapes on two at once) add to the same
    counts. Wall times of statements that ran at once overlap, and CPU is
    the process's: both sum to more than the pass took.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, counts=None):
        self._con = con
        self._lock, self.wall, self.cpu, self.calls, self.made = counts or (
            threading.Lock(), collections.Counter(), collections.Counter(),
            collections.Counter(), {})

    def cursor(self):
        return TimedConnection(self._con.cursor(),
                               (self._lock, self.wall, self.cpu, self.calls, self.made))

    def _timed(self, method: str, query, *args, **kwargs):
        key = " ".join(str(query).split())[:100]
        wall, cpu = time.perf_counter(), time.process_time()
        result = getattr(self._con, method)(query, *args, **kwargs)
        with self._lock:
            self.wall[key] += time.perf_counter() - wall
            self.cpu[key] += time.process_time() - cpu
            self.calls[key] += 1
            if key not in self.made:
                found = MADE.search(re.sub(r"--[^\n]*", " ", str(query)))
                self.made[key] = found.group(1) if found else key
        return result

    def execute(self, query, *args, **kwargs):
        self._timed("execute", query, *args, **kwargs)
        return self

    def sql(self, query, *args, **kwargs):
        return self._timed("sql", query, *args, **kwargs)

    def fetchall(self):
        return self._con.fetchall()

    def fetchone(self):
        return self._con.fetchone()

    def __getattr__(self, name):
        return getattr(self._con, name)


def step_of(made: str) -> str:
    """The step of a statement, from what it makes (``TimedConnection.made``)."""
    for step, patterns in STEPS:
        if any(fnmatch.fnmatchcase(made, pattern) for pattern in patterns):
            return step
    return "other"


@click.command()
@click.argument("pools", nargs=-1, required=True)
@click.option("--top", default=25, show_default=True, help="How many statements to list.")
@click.option("--steps", is_flag=True, help="Also sum the statements by engine step.")
@click.option("--all-steps", is_flag=True,
              help="Keep every step's tables, as asnsql.generate does (the CLI drops them).")
def main(pools, top, steps, all_steps):
    sources = expand_sources(pools)
    rules = load_rules(())
    con = TimedConnection(duckdb.connect())
    wall, cpu = time.perf_counter(), time.process_time()
    chunk = run_chunk(con, sources, list(range(len(sources))), rules, sandbox=True,
                      publish=all_steps, keep_steps=all_steps)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    rows = sum(o.n_rows for o in chunk.outcomes)
    documents = sum(o.n_associations for o in chunk.outcomes)
    print(f"{len(sources)} pools, {rows} rows, {documents} documents: "
          f"{wall:.2f} s wall, {cpu:.2f} s CPU, {len(con.calls)} distinct statements")
    print(f"{'wall s':>7} {'CPU s':>7} {'runs':>4}  statement")
    for key, seconds in con.wall.most_common(top):
        print(f"{seconds:7.3f} {con.cpu[key]:7.3f} {con.calls[key]:4d}  {key[:90]}")
    if steps:
        by_step: collections.Counter = collections.Counter()
        for key, seconds in con.wall.items():
            by_step[step_of(con.made[key])] += seconds
        print()
        for step, seconds in by_step.most_common():
            print(f"{seconds:7.3f}  {step}")
        between = wall - sum(by_step.values())
        print(f"{between:7.3f}  Python between statements" if between >= 0 else
              f"{-between:7.3f}  overlap of statements that ran at once")


if __name__ == "__main__":
    main()
