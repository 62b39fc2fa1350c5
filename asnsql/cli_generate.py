"""What ``asnsql generate`` does with its pools: one run, files or a table, progress."""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import click

from asnsql.archive import (
    CHUNK_BYTES,
    OutputError,
    TableSink,
    expand_sources,
    generate_many,
    refuse_unsafe_names,
    unsafe_name,
    write_documents,
)


def _progress(total: int, quiet: bool):
    """A progress bar on stderr when it is a terminal and the run lasts more than a moment."""
    from tqdm import tqdm

    return tqdm(total=total, unit="pool", file=sys.stderr, delay=0.5, leave=False,
                disable=quiet or not sys.stderr.isatty(), dynamic_ncols=True)


def run_generate(pools, *, out_dir: Path, into: Path | None, dry_run: bool, verbose: bool,
                 quiet: bool, save_orphans: str | None, true_orphans: bool, fail_fast: bool,
                 options: dict, chunk_bytes: int | None = None, jobs: int = 1) -> bool:
    """Generate ``pools`` and write what was asked; return False if any pool failed.

    A single pool file writes into ``out_dir`` itself, as asn_generate does;
    several pools (or a folder) write into ``out_dir/<pool stem>/``. ``jobs``
    passes run at once, of ``chunk_bytes`` of pool text each (by default
    :data:`CHUNK_BYTES` among them all, so that memory is as with one).
    """
    sources = expand_sources(pools)
    flat = len(pools) == 1 and not os.path.isdir(pools[0])
    if flat and str(pools[0]) != "-" and not os.path.exists(pools[0]):
        raise click.ClickException(f"{pools[0]}: no such file")
    _check_version_id(options.get("version_id"))
    if not dry_run and into is None:
        _check_out_dir(Path(out_dir))
        if save_orphans:
            _check_orphans_path(Path(out_dir), save_orphans, flat)
    sink = TableSink(into) if into is not None and not dry_run else None
    ok = True
    rows = written = 0
    bar = _progress(len(sources), quiet)

    def say(outcomes):
        """Count the pools in on the bar, and with -v say what each made."""
        nonlocal rows, written
        for outcome in outcomes:
            rows += outcome.n_rows
            written += outcome.n_associations
            bar.set_postfix(rows=rows, associations=written, refresh=False)
            bar.update(1)
            if verbose and outcome.error is None:
                bar.clear()
                click.echo(f"{outcome.n_associations} associations from "
                           f"{outcome.n_rows} rows of {outcome.asn_pool}"
                           + (" (dry run, nothing written)" if dry_run else ""))

    # A chunk's output is written by a thread of its own while the next
    # chunk is generated (DuckDB works without Python's lock); one at a time.
    writer = ThreadPoolExecutor(max_workers=1)
    writing = None
    try:
        # The tables users query are not made (only --save-orphans reads
        # one), and each step's tables go as soon as they are spent.
        for chunk in generate_many(sources, fail_fast=fail_fast, passes=jobs,
                                   chunk_bytes=chunk_bytes or max(1, CHUNK_BYTES // jobs),
                                   publish=bool(save_orphans), keep_steps=False, **options):
            refuse_unsafe_names(chunk)
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
            outcomes = chunk.outcomes
            # What the write needs is taken off the chunk's connection now:
            # it is closed when the next chunk is asked for.
            if dry_run:
                job = partial(say, outcomes)
            elif sink is not None:
                job = partial(_add_rows, sink, TableSink.rows(chunk), outcomes, say)
            else:
                # Orphans are made before anything is written: a pool's folder
                # gets its associations and its orphans together, or nothing.
                extra = (_orphans(chunk, out_dir, flat, save_orphans, true_orphans, options)
                         if save_orphans else None)
                job = partial(_write, chunk.documents(), outcomes, out_dir, flat, extra, say)
            if writing is not None:
                writing.result()
            writing = writer.submit(job)
        if writing is not None:
            writing.result()
            writing = None
        if sink is not None:
            sink.close()
            sink = None
    except OutputError as err:
        raise click.ClickException(str(err)) from None
    finally:
        if writing is not None:
            writing.cancel()
            try:
                writing.result()
            except Exception:  # noqa: BLE001 - the run already failed; its error is raised
                pass
        writer.shutdown()
        bar.close()
        if sink is not None:
            sink.abort()
    return ok


def _add_rows(sink, table_rows, outcomes, say) -> None:
    sink.add_rows(table_rows)
    say(outcomes)


def _write(documents, outcomes, out_dir, flat, extra, say) -> None:
    """A chunk's files; the pools are told of as a whole once all are in place."""
    write_documents(documents, outcomes, out_dir, flat=flat, extra=extra)
    say(outcomes)


def _check_version_id(version_id) -> None:
    """``--version-id`` becomes part of every file name: refuse what cannot be."""
    if version_id:
        why = unsafe_name(f"jw00000-o000_{version_id}_image2_00001_asn.json")
        if why:
            raise click.ClickException(f"--version-id {version_id[:80]!r}: a file name part that {why}")


def _check_out_dir(out_dir: Path) -> None:
    """The output folder must be a folder, or creatable: say so now, before any work."""
    for folder in (out_dir, *out_dir.parents):
        if folder.exists():
            if not folder.is_dir():
                raise click.ClickException(f"{out_dir}: cannot be an output folder: {folder} is a file")
            if not os.access(folder, os.W_OK | os.X_OK):
                raise click.ClickException(f"{out_dir}: cannot write into {folder}")
            return


def _check_orphans_path(out_dir: Path, file_name: str, flat: bool) -> None:
    """``--save-orphans FILE`` (in the output folder): refuse a folder or a missing folder now."""
    target = Path(file_name)
    if target.name in ("", ".", "..") or file_name.endswith(("/", os.sep)):
        raise click.ClickException(f"--save-orphans {file_name}: names a folder, not a file")
    if target.is_absolute() or ".." in target.parts:
        raise click.ClickException(
            f"--save-orphans {file_name}: give a file name inside the output folder (-p)")
    if flat:
        placed = out_dir / target
        if placed.is_dir():
            raise click.ClickException(f"--save-orphans {file_name}: {placed} is a folder, not a file")
        parent = placed.parent
        if parent != out_dir and not parent.is_dir():
            raise click.ClickException(f"--save-orphans {file_name}: no such folder {parent}")
    elif target.parent != Path("."):
        raise click.ClickException(
            f"--save-orphans {file_name}: with several pools, a file name only "
            "(each pool's orphans go into its own folder)")


def _orphans(chunk, out_dir, flat, file_name, true_orphans, options) -> dict:
    """Each good pool's orphans, ``{asn_pool: [(name, text)]}``, for its folder's files."""
    from asnsql.orphans import orphans_text

    extra = {}
    for local, outcome in enumerate(chunk.outcomes):
        if outcome.error is not None:
            continue
        text = orphans_text(chunk.con, outcome.path, every_row=not true_orphans,
                            delimiter=options.get("delimiter", "|"),
                            fmt=options.get("pool_format", "ascii"), pool=local)
        extra[outcome.asn_pool] = [(str(Path(file_name)), text)]
    return extra
