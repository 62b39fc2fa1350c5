"""Add or remove members of an association file: the twin of jwst's ``asn_edit``.

Kept quirks (docs/tools.md): a file name is reduced to its basename (after
``~``, ``$VAR`` and symbolic links are resolved) and compared with whole
``expname``s, so it never matches an ``expname`` with a folder part unless
``ignore_suffix`` is set; a product left empty is dropped; the file is
rewritten even when nothing matched.
"""

from __future__ import annotations

import copy
import os
import warnings
from pathlib import Path

from asnsql.naming import remove_suffix
from asnsql.errors import AssociationFileError, ToolWarning
from asnsql.tools.load import read_asn, serialize, write_text_atomic

__all__ = ["add_members", "remove_members", "edit_file", "member_changes"]


def _basename(filename) -> Path:
    return Path(os.path.expandvars(os.fspath(filename))).expanduser().resolve()


def _products(doc: dict, name: str) -> list:
    products = doc.get("products")
    if not isinstance(products, list) or not all(
            isinstance(p, dict) and isinstance(p.get("members"), list)
            and all(isinstance(m, dict) for m in p["members"]) for p in products):
        raise AssociationFileError(f"{name}: not an association: no products with members "
                                   "(objects with expname and exptype)")
    return products


def add_members(doc: dict, filenames, exptype: str = "science") -> dict:
    """A copy of ``doc`` with a member ``{expname, exptype}`` per file added to every product."""
    doc = copy.deepcopy(doc)
    for filename in filenames:
        member = {"expname": _basename(filename).name, "exptype": exptype}
        for product in _products(doc, "association"):
            product["members"].append(dict(member))
    return doc


def _key(name: str, ignore_suffix: bool) -> str:
    return remove_suffix(Path(name).stem) if ignore_suffix else name


def remove_members(doc: dict, filenames, ignore_suffix: bool = False) -> tuple[dict, list[str]]:
    """A copy of ``doc`` without the members of ``filenames``; and the names that matched none.

    A file matches a member when its basename equals the member's whole
    ``expname`` (or, with ``ignore_suffix``, when both stems agree once a
    known suffix such as ``_rate`` is removed). Products left empty go.
    """
    doc = copy.deepcopy(doc)
    products = _products(doc, "association")
    not_found = []
    for filename in filenames:
        path = _basename(filename)
        wanted = remove_suffix(path.stem) if ignore_suffix else path.name
        found = [(i, j) for i, product in enumerate(products)
                 for j, member in enumerate(product["members"])
                 if isinstance(member.get("expname"), str) and member["expname"]
                 and _key(member["expname"], ignore_suffix) == wanted]
        if not found:
            not_found.append(os.fspath(filename))
        for i, j in reversed(found):
            del products[i]["members"][j]
            if not products[i]["members"]:
                del products[i]
    return doc, not_found


def member_changes(before: dict, after: dict) -> list[str]:
    """The members added and removed, as diff lines under each changed product.

    ``product NAME`` heads the ``-``/``+`` lines of a product; a product
    that lost every member says so. Products are paired by position among
    the same names, so repeated product names pair up in order.
    """
    lines = []
    kept = list(after["products"])
    for product in before["products"]:
        name = product.get("name")
        match = next((p for p in kept if p.get("name") == name), None)
        now = []
        if match is not None:
            kept.remove(match)
            now = match["members"]
        rest = list(now)
        removed = []
        for member in product["members"]:
            if member in rest:
                rest.remove(member)
            else:
                removed.append(member)
        if not (removed or rest or match is None):
            continue
        lines.append(f"product {name}" + ("" if match is not None else " (dropped: no members left)"))
        lines += [f"-   {m.get('expname')} ({m.get('exptype')})" for m in removed]
        lines += [f"+   {m.get('expname')} ({m.get('exptype')})" for m in rest]
    return lines


def edit_file(asn_file, filenames, *, add: bool = False, remove: bool = False,
              exptype: str | None = None, ignore_suffix: bool = False, output=None,
              dry_run: bool = False) -> tuple[dict, list[str]]:
    """Edit an association file as asn_edit does; write it atomically.

    Parameters
    ----------
    asn_file : str or os.PathLike
        The association; its name must end in ``.json``.
    filenames : list of str
        Files to add or remove.
    add, remove : bool
        Exactly one must be true.
    exptype : str, optional
        Type of the added members (default ``science``); ignored when
        removing, with a warning.
    ignore_suffix : bool
        When removing, match names without their suffix; ignored when
        adding, with a warning.
    output : str or os.PathLike, optional
        Write here instead of over ``asn_file``; must end in ``.json``.
    dry_run : bool
        Write nothing.

    Returns
    -------
    (dict, list of str)
        The edited document, and the member changes (`member_changes`).

    Raises
    ------
    AssociationFileError
        Bad names, unreadable or malformed input, unwritable output; the
        input is untouched.

    Examples
    --------
    >>> import shutil
    >>> from asnsql.tools.edit import edit_file
    >>> _ = shutil.copy("fixtures/tools/inputs/asn/asn_level2.json", "/tmp/asn_level2.json")
    >>> doc, changes = edit_file("/tmp/asn_level2.json", ["test_lrs1_rate.fits"], remove=True,
    ...                          dry_run=True)
    >>> changes[:2]
    ['product test_lrs1_rate (dropped: no members left)', '-   test_lrs1_rate.fits (science)']
    """
    if add == remove:
        raise AssociationFileError("give one of -a/--add and -r/--remove")
    asn_file = Path(asn_file)
    target = Path(output) if output is not None else asn_file
    for path in (asn_file, target):
        if path.suffix != ".json":
            raise AssociationFileError(f"{path}: an association file's name ends in .json")
    doc = read_asn(asn_file)
    _products(doc, str(asn_file))
    if add:
        if ignore_suffix:
            warnings.warn("-i/--ignore: applies to -r/--remove only; ignored", ToolWarning, stacklevel=2)
        edited = add_members(doc, filenames, "science" if exptype is None else exptype)
    else:
        if exptype is not None:
            warnings.warn("-t/--type: applies to -a/--add only; ignored", ToolWarning, stacklevel=2)
        edited, not_found = remove_members(doc, filenames, ignore_suffix)
        if not_found:
            warnings.warn(f"{asn_file}: not found: {', '.join(not_found)} (written anyway, as "
                          "asn_edit does)", ToolWarning, stacklevel=2)
    if not dry_run:
        write_text_atomic(target, serialize(edited))
    return edited, member_changes(doc, edited)
