"""The ``asnsql`` command: a thin skin over :mod:`asnsql.api`."""

from __future__ import annotations

import os
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
        except RuntimeError as err:
            # Ctrl-C while DuckDB runs a statement on this thread comes out as
            # DuckDB's "Query interrupted", not KeyboardInterrupt: the same
            # "Aborted!" and exit status 1 as an interrupt anywhere else.
            if str(err) == "Query interrupted":
                raise click.Abort() from None
            raise


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="asnsql")
def main():
    """JWST associations from association pools, by SQL over DuckDB."""


class _WordsOption(click.Option):
    """A repeatable option that also takes the words after its value, as asn_generate's ``-i A B C``.

    Words after ``-i`` up to the next option are ids, except the last words
    the command still needs for its positional arguments (``sql POOL -i
    o001 o002 QUERY``): those fill them. A command whose last argument
    takes any number of words (generate's POOLS) gets none back: give its
    pools before ``-i``.
    """

    def add_to_parser(self, parser, ctx):
        super().add_to_parser(parser, ctx)
        for name in self.opts:
            option = parser._long_opt.get(name) or parser._short_opt.get(name)
            if option is None:
                continue
            take_one = option.process

            def process(value, state, take_one=take_one):
                words = []
                while state.rargs and not state.rargs[0].startswith("-"):
                    words.append(state.rargs.pop(0))
                keep = _positionals_missing(ctx, len(state.largs))
                if keep:
                    state.rargs[:0] = words[len(words) - keep:]
                    words = words[:len(words) - keep]
                for word in (value, *words):
                    take_one(word, state)

            option.process = process


def _positionals_missing(ctx, given: int) -> int:
    """How many one-word positional arguments of ``ctx.command`` are not yet filled."""
    single = 0
    for param in ctx.command.params:
        if isinstance(param, click.Argument):
            if param.nargs != 1:
                return 0
            single += 1
    return max(single - given, 0)


def ids_option(command):
    """``-i/--ids ID...``: the one candidate-id option of every command that generates."""
    return click.option(
        "-i", "--ids", multiple=True, metavar="ID...", cls=_WordsOption,
        help="Only these candidates, in this order (several ids may follow one -i; repeatable).",
    )(command)


def rules_options(command):
    """``-r/--rules`` and ``--ignore-default``: the one rule-file options of every command."""
    command = click.option("--ignore-default", is_flag=True, help="Use only the -r rules.")(command)
    return click.option("-r", "--rules", "rule_paths", multiple=True,
                        type=click.Path(path_type=Path),
                        help="Extra SQL rule file or folder (repeatable).")(command)


param_option = click.option(
    "-P", "--param", "rule_params", type=(str, str), multiple=True, metavar="NAME VALUE",
    help="Bind rule parameter $NAME to VALUE (text; repeatable).")


@main.command()
@click.argument("pools", nargs=-1, required=True, type=click.Path(dir_okay=True, path_type=Path))
@click.option("-p", "--path", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Folder to write the associations to.")
@ids_option
@click.option("--discover", is_flag=True, help="Only associations found across candidates.")
@click.option("--all-candidates", is_flag=True, help="Only candidate associations.")
@click.option("--version-id", is_flag=False, flag_value="__now__", default=None, metavar="[V]",
              help="Tag names with V; without a value, with the current UTC time.")
@rules_options
@param_option
@click.option("--dry-run", is_flag=True, help="Generate, but write nothing.")
@click.option("-d", "--delimiter", default="|", show_default=True, help="Pool column delimiter.")
@click.option("--pool-format", default="ascii", show_default=True,
              help="Pool format: ascii (fast path) or any astropy table format.")
@click.option("-v", "--verbose", is_flag=True, help="Say what was generated.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
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
@click.option("--into", type=click.Path(dir_okay=False, path_type=Path),
              help="Write every document as a row of one table (FILE.parquet or FILE.duckdb) "
                   "instead of files.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first pool that fails.")
@click.option("--chunk-mb", type=click.FloatRange(min=0, min_open=True), default=None, metavar="MB",
              help="Pools are generated in passes of whole pools of about this much pool "
                   "text (default 48 divided by --jobs; peak memory is some 60 times the "
                   "text of the passes running).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Passes run at once, each on a thread and DuckDB connection of its own, "
                   "sharing the cores (default 2, or 1 on a one-core machine).")
@click.option("--engine", type=click.Choice(["local", "spark"]), default="local", show_default=True,
              help="Where to run: this process, or Apache Spark (pip install 'asnsql[spark]').")
@click.option("--master", metavar="URL", help="With --engine spark: the Spark master (default local[*]).")
def generate(pools, out_dir, ids, discover, all_candidates, version_id, rule_paths,
             ignore_default, rule_params, dry_run, delimiter, pool_format, verbose, quiet, debug, dms,
             no_finalize, merge, save_orphans, true_orphans, into, fail_fast, chunk_mb, jobs,
             engine, master):
    """Generate the associations of POOLS, as jwst's asn_generate does.

    Same options, defaults and file names as asn_generate (jwst 3.0.0). With
    neither --discover nor --all-candidates (nor -i), both apply. Give the
    pools before -i: the ids run to the next option.

    POOLS are pool files and folders (a folder means every *.csv in it,
    sorted), all generated in one pass. One pool file writes into -p as
    asn_generate does; with more, each pool's files go into
    <path>/<pool file stem>/. A pool that cannot be read is named on one
    line and writes nothing; the others complete, and the exit status is 1.

    Beyond asn_generate: many pools in one run, --into (one table row per
    document), --true-orphans (write only rows no association holds;
    asn_generate's --save-orphans writes every row), a repeatable -i, and a
    one-line error instead of a traceback for bad input.

    Example:

        asnsql generate fixtures/pools/pool_002_image_miri.csv -p out/

        asnsql generate pool.csv -p out/ -i o001 c1000 --version-id

        asnsql generate fixtures/pools -p out/ --into out/associations.parquet
    """
    from asnsql.cli_generate import run_generate

    if true_orphans and not save_orphans:
        raise click.UsageError("--true-orphans goes with --save-orphans")
    if sum(bool(x) for x in (ids, discover, all_candidates)) > 1:
        raise click.UsageError("-i/--ids, --discover and --all-candidates exclude each other")
    if into is not None and save_orphans:
        raise click.UsageError("--into writes a table, not files: --save-orphans goes without it")
    options = dict(
        discover=discover,
        all_candidates=all_candidates,
        ids=list(ids) or None,
        version_id=True if version_id == "__now__" else version_id,
        rules=rule_paths,
        ignore_default=ignore_default,
        params=dict(rule_params),
        finalize_=not no_finalize,
        merge=merge,
        debug=debug,
        dms=dms,
    )
    if master and engine != "spark":
        raise click.UsageError("--master goes with --engine spark")
    if engine == "spark":
        from asnsql.cli_spark import run_spark

        if save_orphans or pool_format != "ascii" or chunk_mb or jobs:
            raise click.UsageError("--engine spark takes neither --save-orphans, --pool-format,"
                                   " --chunk-mb nor --jobs")
        return run_spark(list(pools), out_dir, into, master, dry_run=dry_run, verbose=verbose,
                         delimiter=delimiter, **options)
    ok = run_generate(
        pools,
        out_dir=out_dir,
        into=into,
        dry_run=dry_run,
        verbose=verbose,
        quiet=quiet,
        save_orphans=save_orphans,
        true_orphans=true_orphans,
        fail_fast=fail_fast,
        options=dict(options, delimiter=delimiter, pool_format=pool_format),
        jobs=jobs or min(2, os.cpu_count() or 1),
        **({"chunk_bytes": max(1, int(chunk_mb * (1 << 20)))} if chunk_mb else {}),
    )
    if not ok:
        sys.exit(1)


@main.command("diff")
@click.argument("ref_path", type=click.Path(exists=True, path_type=Path), metavar="REF")
@click.argument("our_path", type=click.Path(exists=True, path_type=Path), metavar="OURS")
def diff_command(ref_path, our_path):
    """Compare two folders of associations, or two association files, field by field.

    Ignores `constraints` and `code_version`. Products and members are
    compared by position, so repeated product names are no trouble. Exits
    1 when they differ.

    Example:

    \b
        asnsql diff fixtures/reference/default/pool_002_image_miri out/
        asnsql diff theirs_asn.json ours_asn.json
    """
    from asnsql.diff import compare_dirs, compare_files, format_dirdiff

    if ref_path.is_dir() != our_path.is_dir():
        raise click.UsageError("give two folders or two files")
    if ref_path.is_dir():
        result = compare_dirs(ref_path, our_path)
        click.echo(format_dirdiff(result))
        sys.exit(0 if result.ok else 1)
    problems = compare_files(ref_path, our_path)
    count = f"{len(problems)} difference{'s' if len(problems) != 1 else ''}"
    click.echo(f"{ref_path} and {our_path}: " + (count if problems else "equal"))
    for problem in problems:
        click.echo(f"  {problem}")
    sys.exit(1 if problems else 0)


def _generation_options(command):
    """The generate options that change what the views hold (mode, rules, pool format)."""
    options = [
        ids_option,
        click.option("--discover", is_flag=True, help="Only associations found across candidates."),
        click.option("--all-candidates", is_flag=True, help="Only candidate associations."),
        rules_options,
        click.option("-d", "--delimiter", default="|", show_default=True,
                     help="Pool column delimiter."),
        click.option("--pool-format", default="ascii", show_default=True,
                     help="Pool format: ascii (fast path) or any astropy table format."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _generate(pool, ids, discover, all_candidates, rule_paths, ignore_default, delimiter,
              pool_format, rule_params=()):
    """Run api.generate with the options of `_generation_options`."""
    from asnsql import api

    if sum(bool(x) for x in (ids, discover, all_candidates)) > 1:
        raise click.UsageError("-i/--ids, --discover and --all-candidates exclude each other")
    return api.generate(
        pool,
        discover=discover,
        all_candidates=all_candidates,
        ids=list(ids) or None,
        rules=rule_paths,
        ignore_default=ignore_default,
        delimiter=delimiter,
        pool_format=pool_format,
        params=dict(rule_params),
    )


@main.command("sql")
@click.argument("pool", type=click.Path(path_type=Path))
@click.argument("query", required=False)
@click.option("--table", "fmt", flag_value="table", default=True,
              help="Print an aligned table (the default).")
@click.option("--csv", "fmt", flag_value="csv", help="Print CSV.")
@click.option("--json", "fmt", flag_value="json", help="Print a JSON list of objects.")
@click.option("-p", "--param", "params", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="Bind $NAME to VALUE (repeatable).")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the views as tables into this DuckDB database file.")
@_generation_options
def sql_command(pool, query, fmt, params, db, **generation):
    """Run a SQL QUERY over the views of POOL's generation.

    \b
    Views: pool, candidates, candidate_order, runs, exposures, items,
    associations, members, orphans. Values go in as bound parameters:
    -p NAME VALUE binds $NAME. With --db FILE (QUERY optional) the views
    are written as tables into a DuckDB database file.

    Example:

    \b
        asnsql sql fixtures/pools/pool_002_image_miri.csv \\
            "SELECT asn_type, count(*) AS n FROM associations GROUP BY ALL ORDER BY 1"
        asnsql sql fixtures/pools/pool_002_image_miri.csv --csv \\
            'SELECT file_name FROM members WHERE filename = $f' -p f jw_00001_uncal.fits
        asnsql sql fixtures/pools/pool_002_image_miri.csv --db pool_002.duckdb
    """
    from asnsql import explore

    if query is None and db is None:
        raise click.UsageError("give a QUERY, or --db FILE to keep the views")
    if db is not None:
        explore.check_database(db)
    result = _generate(pool, **generation)
    if db is not None:
        written = explore.export(result.con, db)
        summary = explore.format_table(explore.Result(("table", "rows"), written))
        click.echo(f"wrote {len(written)} tables to {db}:\n{summary}", err=query is not None)
    if query is None:
        return
    bound = {name.removeprefix("$"): value for name, value in params}
    answer = explore.query(result.con, query, bound)
    text = {"table": explore.format_table, "csv": explore.format_csv,
            "json": explore.format_json}[fmt](answer)
    if text:
        click.echo(text)


@main.command("explain")
@click.argument("pool", type=click.Path(path_type=Path))
@click.argument("filename")
@click.option("--rule", "only", multiple=True, metavar="NAME",
              help="Tell only about this rule (repeatable).")
@param_option
@_generation_options
def explain_command(pool, filename, only, **generation):
    """Say what became of exposure FILENAME of POOL, rule by rule.

    Lists the candidates it belongs to and the associations it joined; for
    each rule it did not join, the first condition that kept it out (with
    the exposure's own values and the rule file's line), or why its
    association was dropped when finalising.

    Example:

    \b
        asnsql explain fixtures/pools/pool_002_image_miri.csv jw_00001_uncal.fits
        asnsql explain fixtures/pools/pool_006_spec_nirspec.csv jw_00001_uncal.fits --rule Asn_Lv2Image
    """
    from asnsql.engine import sandbox
    from asnsql.explain import explain, render

    result = _generate(pool, **generation)
    # explain re-runs parts of the rules' SQL: on a sandboxed connection too.
    sandbox(result.con)
    click.echo(render(explain(result, filename, rules=only)))


@main.group("rules", invoke_without_command=True)
@rules_options
@click.pass_context
def rules_command(ctx, rule_paths, ignore_default):
    """List the rules: name, level, asn_type, file and purpose.

    Rules are listed in the order they are offered exposures (level, then
    name). `asnsql rules show NAME` prints one rule's SQL file.

    Example:

    \b
        asnsql rules
        asnsql rules show Asn_Lv3Image
    """
    ctx.obj = {"rule_paths": rule_paths, "ignore_default": ignore_default}
    if ctx.invoked_subcommand is None:
        from asnsql.explore import format_table
        from asnsql.registry import load_rules
        from asnsql.rulesdoc import rule_table

        click.echo(format_table(rule_table(load_rules(rule_paths, include_default=not ignore_default))))


@rules_command.command("show")
@click.argument("name")
@rules_options
@click.pass_context
def rules_show(ctx, name, rule_paths, ignore_default):
    """Print the SQL file of rule NAME (header and query).

    Example:

    \b
        asnsql rules show Asn_Lv2Image
    """
    from asnsql.registry import load_rules
    from asnsql.rulesdoc import find_rule

    paths = tuple(ctx.obj["rule_paths"]) + tuple(rule_paths)
    ignore = ctx.obj["ignore_default"] or ignore_default
    rule = find_rule(load_rules(paths, include_default=not ignore), name)
    click.echo(rule.sql.rstrip("\n"))


from asnsql.cli_report import report_command  # noqa: E402
from asnsql.cli_tools import COMMANDS as _TOOL_COMMANDS  # noqa: E402

for _command in _TOOL_COMMANDS:
    main.add_command(_command)
main.add_command(report_command(generate))


if __name__ == "__main__":
    main()
