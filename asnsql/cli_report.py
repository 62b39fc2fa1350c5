"""``asnsql report``: a thin skin over :func:`asnsql.report.write_report`.

The command takes every generation option of ``generate``: the very option
objects of that command, not copies, so ``-i`` or ``--merge`` cannot come to
mean two things. ``asnsql.cli`` registers it with
``main.add_command(report_command(generate))``.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import click

# The options of `generate` that change what is generated (not where or whether it is written).
GENERATION_OPTIONS = ("ids", "discover", "all_candidates", "version_id", "rule_paths",
                      "ignore_default", "delimiter", "pool_format", "debug", "dms",
                      "no_finalize", "merge")


def report_command(generate: click.Command) -> click.Command:
    """The ``report`` command, with the generation options of ``generate``.

    Parameters
    ----------
    generate : click.Command
        The ``generate`` command; its class (which lets ``-i`` take several
        ids) and its generation options are reused as they are.
    """
    shared = {p.name: p for p in generate.params}
    return type(generate)(
        name="report",
        callback=_report.callback,
        params=[*_report.params, *(shared[name] for name in GENERATION_OPTIONS)],
        help=_report.help,
    )


@click.command("report")
@click.argument("pools", nargs=-1, required=True, metavar="POOL...",
                type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The HTML file to write.")
@click.option("--no-reasons", is_flag=True,
              help="Do not explain the orphans (faster on big pools).")
@click.pass_context
def _report(ctx, pools, output, no_reasons, **generation):
    """Write one HTML page showing the associations of POOLS.

    For each pool: a summary (rows, candidates, associations per asn_type
    and rule, orphans); per candidate, its associations as cards and a
    matrix of which exposure is in which association; and each orphan with
    the reason of the rules that came closest to taking it. The page is one
    self-contained file (nothing loaded from the network) with a filter box
    and sortable tables. A folder gives its *.csv pools; several pools give
    one section each. Generation options are those of `generate`; give the
    pools before -i.

    Example:

    \b
        asnsql report fixtures/pools/pool_013_coron_nircam.csv -o report.html
        asnsql report fixtures/pools/ -o all.html --discover
    """
    from asnsql.report import write_report

    if sum(bool(generation[k]) for k in ("ids", "discover", "all_candidates")) > 1:
        raise click.UsageError("-i/--ids, --discover and --all-candidates exclude each other")
    version_id = generation["version_id"]
    reports = write_report(
        pools,
        output,
        reasons=not no_reasons,
        options=_stated_options(ctx),
        discover=generation["discover"],
        all_candidates=generation["all_candidates"],
        ids=list(generation["ids"]) or None,
        version_id=True if version_id == "__now__" else version_id,
        rules=generation["rule_paths"],
        ignore_default=generation["ignore_default"],
        delimiter=generation["delimiter"],
        pool_format=generation["pool_format"],
        finalize_=not generation["no_finalize"],
        merge=generation["merge"],
        debug=generation["debug"],
        dms=generation["dms"],
    )
    for report in reports:
        for cand_id in report.unknown_ids:
            click.echo(f"Warning: candidate id {cand_id} not found in pool {report.name}", err=True)
    asns = sum(r.n_associations for r in reports)
    orphans = sum(len(r.orphans) for r in reports)
    pools_said = f"{len(reports)} pools" if len(reports) > 1 else reports[0].name
    click.echo(f"wrote {output}: {pools_said}, {asns} associations, {orphans} orphans, "
               f"{output.stat().st_size // 1024} KiB")


def _stated_options(ctx) -> str:
    """The generation options given, as a command line would say them (for the page)."""
    words = []
    for param in ctx.command.params:
        if param.name not in GENERATION_OPTIONS:
            continue
        value = ctx.params.get(param.name)
        if ctx.get_parameter_source(param.name) != click.core.ParameterSource.COMMANDLINE:
            continue
        flag = max(param.opts, key=len)
        if param.is_flag:
            words.append(flag)
        elif param.multiple:
            words += [w for v in value for w in (flag, str(v))]
        else:
            words += [flag] if value == "__now__" else [flag, str(value)]
    return shlex.join(words)
