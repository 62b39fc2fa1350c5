"""What ``asnsql generate`` does with its pools: one run, files or a table, progress."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from asnsql.archive import (
    OutputError,
    TableSink,
    expand_sources,
    generate_many,
    pool_folder,
    write_files,
)


def _progress(total: int, quiet: bool):
    """A progress bar on stderr when it is a terminal and the run lasts more than a moment."""
    from tqdm import tqdm

    return tqdm(total=total, unit="pool", file=sys.stderr, delay=0.5, leave=False,
                disable=quiet or not sys.stderr.isatty(), dynamic_ncols=True)


def run_generate(pools, *, out_dir: Path, into: Path | None, dry_run: bool, verbose: bool,
                 quiet: bool, save_orphans: str | None, true_orphans: bool, fail_fast: bool,
                 options: dict) -> bool:
    """Generate ``pools`` and write what was asked; return False if any pool failed.

    A single pool file writes into ``out_dir`` itself, as asn_generate does;
    several pools (or a folder) write into ``out_dir/<pool stem>/``.
    """
    sources = expand_sources(pools)
    flat = len(pools) == 1 and not os.path.isdir(pools[0])
    if flat and str(pools[0]) != "-" and not os.path.exists(pools[0]):
        raise click.ClickException(f"{pools[0]}: no such file")
    sink = TableSink(into) if into is not None and not dry_run else None
    ok = True
    rows = written = 0
    bar = _progress(len(sources), quiet)
    try:
        for chunk in generate_many(sources, fail_fast=fail_fast, **options):
            def done(outcome):
                nonlocal rows, written
                rows += outcome.n_rows
                written += outcome.n_associations
                bar.set_postfix(rows=rows, associations=written, refresh=False)
                bar.update(1)

            for outcome in chunk.outcomes:
                if outcome.error is not None:
                    ok = False
                    if flat:
                        raise click.ClickException(outcome.error)
                    bar.clear()
                    click.echo(f"Error: {outcome.error}", err=True)
                for cand_id in outcome.unknown_ids:
                    bar.clear()
                    click.echo(f"Warning: candidate id {cand_id} not found in pool "
                               f"{outcome.asn_pool}", err=True)
            if dry_run:
                for outcome in chunk.outcomes:
                    done(outcome)
            elif sink is not None:
                sink.add(chunk)
                for outcome in chunk.outcomes:
                    done(outcome)
            else:
                write_files(chunk, out_dir, flat=flat, on_pool=done)
                if save_orphans:
                    _orphans(chunk, out_dir, flat, save_orphans, true_orphans, options)
            if verbose:
                for outcome in chunk.outcomes:
                    if outcome.error is None:
                        bar.clear()
                        click.echo(f"{outcome.n_associations} associations from "
                                   f"{outcome.n_rows} rows of {outcome.asn_pool}"
                                   + (" (dry run, nothing written)" if dry_run else ""))
        if sink is not None:
            sink.close()
            sink = None
    except OutputError as err:
        raise click.ClickException(str(err)) from None
    finally:
        bar.close()
        if sink is not None:
            sink.abort()
    return ok


def _orphans(chunk, out_dir, flat, file_name, true_orphans, options) -> None:
    from asnsql.orphans import write_orphans

    for local, outcome in enumerate(chunk.outcomes):
        if outcome.error is not None:
            continue
        folder = Path(out_dir) if flat else pool_folder(out_dir, outcome.asn_pool)
        write_orphans(chunk.con, outcome.path, folder / file_name, every_row=not true_orphans,
                      delimiter=options.get("delimiter", "|"),
                      fmt=options.get("pool_format", "ascii"), pool=local)
