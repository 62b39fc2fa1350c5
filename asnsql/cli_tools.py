"""The association tools on the ``asnsql`` command line: validate, make-pool, from-list, edit, gather.

Each command is one call into :mod:`asnsql.tools`. Errors are the library's
one-line `AsnsqlError`s (the main group prints ``Error: ...`` and exits 1);
a `ToolWarning` the call raises is printed as one ``Warning: ...`` line.
"""

from __future__ import annotations

import functools
import sys
import warnings
from pathlib import Path

import click

from asnsql.errors import ToolWarning

_FILE = click.Path(path_type=Path)


def _warnings_as_lines(command):
    """Print each ToolWarning of the call as one ``Warning:`` line on stderr."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ToolWarning)
            try:
                return command(*args, **kwargs)
            finally:
                for warning in caught:
                    if issubclass(warning.category, ToolWarning):
                        click.echo(f"Warning: {warning.message}", err=True)

    return wrapper


@click.command("validate")
@click.argument("asn_files", nargs=-1, required=True, type=_FILE, metavar="ASN...")
@click.option("--check-files", is_flag=True,
              help="Also check that every member exists beside its association.")
@click.option("--strict", is_flag=True,
              help="Hold Stage 3 documents to the Level 3 schema (jwst accepts Level 2b).")
def validate_command(asn_files, check_files, strict):
    """Check association files against the Level 2b / Level 3 schemas.

    Exit status 0 when every file is valid; otherwise one line per invalid
    file, naming it and what is wrong (field, product, member), and exit
    status 1. As jwst, a document is valid when either schema accepts it;
    --strict holds one whose asn_rule is a Stage 3 rule to the Level 3
    schema (string asn_id and target, version_id string or null).

    Example:

    \b
        asnsql validate fixtures/tools/inputs/asn/*.json
        asnsql validate --check-files out/*_asn.json
    """
    from asnsql.tools.validate import validate_files

    invalid = validate_files(asn_files, check_files=check_files, strict=strict)
    for name, problems in invalid.items():
        click.echo(f"{name}: {'; '.join(problems)}")
    if invalid:
        sys.exit(1)
    click.echo(f"{len(asn_files)} valid association file{'s' if len(asn_files) != 1 else ''}")


@click.command("make-pool")
@click.argument("output", type=_FILE)
@click.argument("files", nargs=-1, required=True, type=_FILE, metavar="FILE...")
@click.option("--asn-candidate", default=None, metavar="TEXT",
              help="More candidates for every exposure, e.g. \"[('c1000', 'background')]\".")
@click.option("--dms-note", default="", help="Value of the dms_note column.")
@click.option("--is-imprt", default="f", show_default=True,
              help="Value of the is_imprt column (t: imprint exposures).")
@click.option("--pntgtype", default="science", show_default=True,
              help="Value of the pntgtype column (science, target_acquisition).")
@_warnings_as_lines
def make_pool_command(output, files, asn_candidate, dms_note, is_imprt, pntgtype):
    """Make a pool OUTPUT from the primary headers of exposure FILEs.

    Byte for byte the pool asn_make_pool writes for the same files and
    options: one column per header keyword, null where a file lacks it,
    filename as given, targetid numbered by first TARGNAME, candidates from
    OBSERVTN. As in asn_make_pool, mostilno and dithptin are always 1.

    Example:

    \b
        asnsql make-pool pool.csv fixtures/tools/inputs/fits/nircam_image/*.fits
        asnsql generate pool.csv -p out/
    """
    from asnsql.tools.mkpool import write_pool

    write_pool(output, files, asn_candidate=asn_candidate, dms_note=dms_note,
               is_imprt=is_imprt, pntgtype=pntgtype)


@click.command("from-list")
@click.argument("files", nargs=-1, required=True, metavar="FILE[:EXPTYPE]...")
@click.option("-o", "--output-file", "output", required=True, type=_FILE,
              help="File to write the association to.")
@click.option("-r", "--rule", default="DMS_Level3_Base", show_default=True,
              help="DMS_Level3_Base, DMSLevel2bBase, Association, or a rule of `asnsql rules`.")
@click.option("--product-name", default=None, help="The product name (Level 3; required there).")
@click.option("-i", "--id", "acid", default="o999", show_default=True,
              help="Candidate id (as asn_from_list, it does not reach the file: asn_id a3001).")
@click.option("-f", "--format", "fmt", default="json", show_default=True,
              help="Format of the file; only json.")
@_warnings_as_lines
def from_list_command(files, output, rule, product_name, acid, fmt):
    """Write an association of FILEs, as jwst's asn_from_list does.

    Level 3 (the default rule): one product, --product-name, holding every
    file. DMSLevel2bBase, or any Stage 2 rule: one product per file, named
    after it. Beyond asn_from_list, a file may carry its exptype
    (name.fits:background); in a Level 2 association such files are
    attached to every science product. Nothing is written on error.

    Example:

    \b
        asnsql from-list -o mosaic_asn.json --product-name my_mosaic a_cal.fits b_cal.fits
        asnsql from-list -o l2_asn.json -r DMSLevel2bBase a_rate.fits bg_rate.fits:background
    """
    from asnsql.tools.fromlist import write_asn_from_list

    write_asn_from_list(output, list(files), fmt=fmt, rule=rule, product_name=product_name,
                        acid=acid)


@click.command("edit")
@click.argument("asn_file", type=_FILE, metavar="ASN")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("-a", "--add", is_flag=True, help="Add FILEs to every product.")
@click.option("-r", "--remove", is_flag=True, help="Remove FILEs' members.")
@click.option("-t", "--type", "exptype", default=None, help="Exptype of added files [science].")
@click.option("-i", "--ignore", "ignore_suffix", is_flag=True,
              help="Match without the suffix (_rate, _cal, ...) when removing.")
@click.option("-o", "--output", type=_FILE, default=None, help="Write here instead of over ASN.")
@click.option("--dry-run", is_flag=True, help="Print the member changes; write nothing.")
@_warnings_as_lines
def edit_command(asn_file, files, add, remove, exptype, ignore_suffix, output, dry_run):
    """Add or remove members of association ASN, as jwst's asn_edit does.

    A file is matched by its basename against whole expnames; products left
    empty are dropped; the file is rewritten even when nothing matched (all
    as asn_edit). Written atomically: on any error ASN is untouched.

    Example:

    \b
        asnsql edit asn.json -a -t background bg_rate.fits
        asnsql edit asn.json -r -i old_cal.fits --dry-run
    """
    from asnsql.tools.edit import edit_file

    _, changes = edit_file(asn_file, list(files), add=add, remove=remove, exptype=exptype,
                           ignore_suffix=ignore_suffix, output=output, dry_run=dry_run)
    if dry_run:
        click.echo("\n".join(changes) if changes else "no change")


@click.command("gather")
@click.argument("asn_file", type=_FILE, metavar="ASN")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("-s", "--source", "source_folder", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder of the members [the association's folder].")
@click.option("-t", "--exp-types", "exp_types", multiple=True, metavar="TYPE",
              help="Only members of this exptype (repeatable).")
@click.option("-x", "--exclude-types", "exclude_types", multiple=True, metavar="TYPE",
              help="Not members of this exptype (repeatable).")
@click.option("--beside-asn", is_flag=True,
              help="Take members with a folder part from the source folder too "
                   "(asn_gather takes them from the current folder).")
@click.option("-c", "--cmd", "shellcmd", default=None, metavar="CMD",
              help="Accepted for asn_gather's scripts and ignored: copies are made with Python.")
@_warnings_as_lines
def gather_command(asn_file, dest, source_folder, exp_types, exclude_types, beside_asn, shellcmd):
    """Copy ASN's members and a rewritten ASN into folder DEST, as jwst's asn_gather does.

    Members become bare file names; products with no member left are
    dropped. A missing member is named before anything is copied. Copies
    are made with Python (no rsync); a newer file in DEST is kept.

    Example:

    \b
        asnsql gather fixtures/tools/inputs/gather/src/primary_asn.json gathered/ -t science
    """
    from asnsql.tools.gather import gather

    if shellcmd is not None:
        click.echo(f"Warning: -c {shellcmd}: ignored; asnsql copies with Python", err=True)
    written = gather(asn_file, dest, exp_types=exp_types, exclude_types=exclude_types,
                     source_folder=source_folder, beside_asn=beside_asn)
    click.echo(f"wrote {written}")


COMMANDS = (validate_command, make_pool_command, from_list_command, edit_command, gather_command)
