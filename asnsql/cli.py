"""The ``asnsql`` command: a thin skin over :mod:`asnsql.api`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from asnsql import __version__
from asnsql.errors import AsnsqlError


class _Group(click.Group):
    """Turn input errors into one ``Error:`` line and exit status 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AsnsqlError as err:
            raise click.ClickException(str(err)) from None


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="asnsql")
def main():
    """JWST associations from association pools, by SQL over DuckDB."""


class _GenerateCommand(click.Command):
    """Let ``-i/--ids`` take several words, as asn_generate's ``-i A B C`` does.

    Words after ``-i`` up to the next option are ids; as with asn_generate,
    give the pool before ``-i``.
    """

    def parse_args(self, ctx, args):
        expanded, taking = [], False
        for arg in args:
            if arg in ("-i", "--ids"):
                taking = True
                continue
            if taking and not arg.startswith("-"):
                expanded += ["--ids", arg]
                continue
            taking = False
            expanded.append(arg)
        return super().parse_args(ctx, expanded)


@main.command(cls=_GenerateCommand)
@click.argument("pool", type=click.Path(dir_okay=True, path_type=Path))
@click.option("-p", "--path", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Folder to write the associations to.")
@click.option("-i", "--ids", multiple=True, metavar="ID...",
              help="Only these candidates, in this order (several ids may follow one -i).")
@click.option("--discover", is_flag=True, help="Only associations found across candidates.")
@click.option("--all-candidates", is_flag=True, help="Only candidate associations.")
@click.option("--version-id", is_flag=False, flag_value="__now__", default=None, metavar="[V]",
              help="Tag names with V; without a value, with the current UTC time.")
@click.option("-r", "--rules", "rule_paths", multiple=True, type=click.Path(path_type=Path),
              help="Extra SQL rule file or folder (repeatable).")
@click.option("--ignore-default", is_flag=True, help="Use only the -r rules.")
@click.option("--dry-run", is_flag=True, help="Generate, but write nothing.")
@click.option("-d", "--delimiter", default="|", show_default=True, help="Pool column delimiter.")
@click.option("--pool-format", default="ascii", show_default=True,
              help="Pool format: ascii (fast path) or any astropy table format.")
@click.option("-v", "--verbose", is_flag=True, help="Say what was generated.")
@click.option("-D", "--debug", is_flag=True,
              help="Keep pruned duplicates, named dupNNNNN_<name>.")
@click.option("--DMS", "dms", is_flag=True,
              help="DMS conditions: with -i, also generate the ids' background candidates, "
                   "then write only the ids' associations.")
@click.option("--no-finalize", is_flag=True,
              help="Skip pruning, multi-observation checks and renumbering.")
@click.option("--merge", is_flag=True,
              help="Merge Stage 2 associations into one per asn_type and candidate.")
@click.option("--save-orphans", is_flag=False, flag_value="orphaned.csv", default=None,
              metavar="[FILE]",
              help="Also write a pool (in -p) of the rows left out: as the reference, every row; "
                   "see --true-orphans. Default FILE: orphaned.csv.")
@click.version_option(__version__, "--version", prog_name="asnsql generate")
@click.option("--true-orphans", is_flag=True,
              help="With --save-orphans, write only rows no association holds "
                   "(a fix: the reference writes every row).")
def generate(pool, out_dir, ids, discover, all_candidates, version_id, rule_paths,
             ignore_default, dry_run, delimiter, pool_format, verbose, debug, dms,
             no_finalize, merge, save_orphans, true_orphans):
    """Generate the associations of POOL, as jwst's asn_generate does.

    Same options, defaults and file names as asn_generate (jwst 3.0.0). With
    neither --discover nor --all-candidates (nor -i), both apply. Give POOL
    before -i: the ids run to the next option.

    Beyond asn_generate: --true-orphans (write only rows no association
    holds; asn_generate's --save-orphans writes every row), a repeatable -i,
    and a one-line error instead of a traceback for bad input.

    Example:

        asnsql generate fixtures/pools/pool_002_image_miri.csv -p out/

        asnsql generate pool.csv -p out/ -i o001 c1000 --version-id
    """
    from asnsql import api

    if true_orphans and not save_orphans:
        raise click.UsageError("--true-orphans goes with --save-orphans")
    if sum(bool(x) for x in (ids, discover, all_candidates)) > 1:
        raise click.UsageError("-i/--ids, --discover and --all-candidates exclude each other")
    id_list = list(ids) or None
    result = api.generate(
        pool,
        discover=discover,
        all_candidates=all_candidates,
        ids=id_list,
        version_id=True if version_id == "__now__" else version_id,
        rules=rule_paths,
        ignore_default=ignore_default,
        delimiter=delimiter,
        pool_format=pool_format,
        finalize_=not no_finalize,
        merge=merge,
        debug=debug,
        dms=dms,
    )
    for cand_id in result.unknown_ids:
        click.echo(f"Warning: candidate id {cand_id} not found in pool {result.pool.name}", err=True)
    if not dry_run:
        result.write(out_dir)
        if save_orphans:
            result.write_orphans(out_dir / save_orphans, every_row=not true_orphans)
    if verbose:
        click.echo(f"{len(result.documents)} associations from {result.pool.n_rows} rows of "
                   f"{result.pool.name}" + (" (dry run, nothing written)" if dry_run else ""))


@main.command("diff")
@click.argument("ref_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("our_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
def diff_command(ref_dir, our_dir):
    """Compare two folders of associations, field by field.

    Ignores `constraints` and `code_version`. Exits 1 when they differ.

    Example:

        asnsql diff fixtures/reference/default/pool_002_image_miri out/
    """
    from asnsql.diff import compare_dirs, format_dirdiff

    result = compare_dirs(ref_dir, our_dir)
    click.echo(format_dirdiff(result))
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
