"""``asnsql generate --engine spark``: the Spark run behind the generate command."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from asnsql.documents import write_texts


def run_spark(pools, out_dir, into=None, master=None, *, dry_run=False, verbose=False,
              delimiter="|", **options) -> None:
    """Generate the associations of ``pools`` on Spark and write them as a local run does.

    Parameters
    ----------
    pools : list of paths
        Pool files and folders (a folder gives its ``*.csv``).
    out_dir : Path
        One pool file given: its associations go into ``out_dir``, as a local
        run writes them; otherwise into ``out_dir/<pool file stem>/``.
    into : Path, optional
        Write one Parquet table instead (the rows of :func:`asnsql.spark.generate`).
    master : str, optional
        Spark master URL; default ``local[*]``.
    dry_run, verbose : bool
        As for ``asnsql generate``.
    delimiter : str
        Of the pool files.
    **options
        Generation options of :func:`asnsql.generate`.

    Each pool's files are written all or nothing. A pool that fails is
    reported as ``Error: <pool>: <what is wrong>`` on stderr, the other pools
    are written, and the exit status is 1.
    """
    from asnsql import spark as asnspark

    files = asnspark.pool_files(pools)
    ours = asnspark.active_session() is None
    session = asnspark.session(master)
    try:
        table = asnspark.generate(files, session, delimiter=delimiter, **options).toArrow()
    finally:
        if ours:  # a session the caller started (a notebook, the tests) stays up
            session.stop()
    table = table.sort_by([("asn_pool", "ascending"), ("file_name", "ascending")])
    rows = table.to_pylist()
    errors = [row["error"] for row in rows if row["error"] is not None]
    if not dry_run:
        if into is not None:
            _write_parquet(table, Path(into))
        else:
            single = len(files) == 1 and not Path(pools[0]).is_dir()
            by_pool = {}
            for row in rows:
                if row["error"] is None:
                    by_pool.setdefault(row["asn_pool"], {})[row["file_name"]] = row["document"]
            for pool, named in by_pool.items():
                write_texts(named, Path(out_dir) if single else Path(out_dir) / Path(pool).stem)
    if verbose:
        click.echo(f"{len(rows) - len(errors)} associations from {len(files)} pools "
                   f"({len(errors)} failed) on Spark {master or 'local[*]'}"
                   + (" (dry run, nothing written)" if dry_run else ""))
    for error in errors:
        click.echo(f"Error: {error}", err=True)
    if errors:
        raise SystemExit(1)


def _write_parquet(table, target: Path) -> None:
    """Write ``table`` to ``target`` through a temporary file beside it."""
    import pyarrow.parquet as pq

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, scratch)
        os.replace(scratch, target)
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
