"""Copy an association and its members to a folder: the twin of jwst's ``asn_gather``.

The written association is asn_gather's: products reduced to ``name`` and
the members kept, members' ``expname`` reduced to the file name, products
left empty dropped, and the fields ``asn_type``, ``asn_rule``,
``version_id`` and ``code_version`` first (jwst's own base class puts them
there, with ``"None"``, ``"Association"`` and ``null`` when the source has
none). Copies are made with Python; like asn_gather's ``rsync -u``, a
destination file newer than its source is left alone.

Kept quirk (docs/tools.md): a member whose ``expname`` has a folder part
that does not start with ``.`` is looked for from the current folder, not
from the source folder; ``beside_asn=True`` looks for it in the source
folder instead.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

from asnsql import __version__
from asnsql.errors import AssociationFileError, ToolWarning
from asnsql.tools.load import read_asn, serialize, write_text_atomic

__all__ = ["gather", "gather_plan"]


def _selected(doc: dict, name: str, exp_types, exclude_types) -> list[dict]:
    products = doc.get("products")
    if not isinstance(products, list):
        raise AssociationFileError(f"{name}: not an association: no products")
    kept = []
    for i, product in enumerate(products):
        if not isinstance(product, dict) or not isinstance(product.get("members"), list):
            raise AssociationFileError(f"{name}: products[{i}]: no members")
        for j, member in enumerate(product["members"]):
            if not isinstance(member, dict):
                raise AssociationFileError(f"{name}: products[{i}].members[{j}]: not an object "
                                           "with expname and exptype")
        members = [m for m in product["members"]
                   if m.get("exptype") not in exclude_types
                   and (not exp_types or m.get("exptype") in exp_types)]
        if members:
            if "name" not in product:
                raise AssociationFileError(f"{name}: products[{i}]: no name")
            kept.append({"name": product["name"], "members": [dict(m) for m in members]})
    return kept


def _source(expname: str, source_folder: Path, beside_asn: bool) -> Path:
    path = Path(expname)
    if path.is_absolute():
        return path
    if beside_asn or str(path.parent).startswith("."):
        return source_folder / path
    return path


def gather_plan(association, destination, exp_types=(), exclude_types=(), source_folder=None,
                beside_asn: bool = False):
    """What `gather` would do: the new document and the ``(source, destination)`` copies.

    Raises
    ------
    AssociationFileError
        Unreadable association, nothing left to gather, or a member that
        does not exist (named, before anything is copied).
    """
    association = Path(association)
    doc = read_asn(association)
    source_folder = Path(source_folder) if source_folder is not None else association.parent
    destination = Path(destination)
    products = _selected(doc, str(association), tuple(exp_types or ()), tuple(exclude_types or ()))
    if not products:
        raise AssociationFileError(f"{association}: nothing to gather: no member is of the "
                                   "types asked for")
    copies, folder_parts = [], []
    for product in products:
        for member in product["members"]:
            expname = member.get("expname")
            if not isinstance(expname, str) or not expname:
                raise AssociationFileError(f"{association}: product {product['name']}: a member "
                                           "has no expname")
            source = _source(expname, source_folder, beside_asn)
            if not source.exists():
                raise AssociationFileError(f"{source}: member {expname} of {association} not found")
            if not beside_asn and not Path(expname).is_absolute() and \
                    Path(expname).parent != Path() and not str(Path(expname).parent).startswith("."):
                folder_parts.append(expname)
            member["expname"] = source.name
            copies.append((source, destination / source.name))
    for expname in folder_parts[:1]:
        warnings.warn(f"{expname}: has a folder part, so it is taken from the current folder, as "
                      "asn_gather does (--beside-asn takes it from the source folder)",
                      ToolWarning, stacklevel=2)
    ours = f"asnsql {__version__}"
    new = {"asn_type": "None", "asn_rule": "Association", "version_id": None, "code_version": ours}
    new.update(doc)
    new["code_version"] = ours
    new["products"] = products
    return new, copies


def _copy(source: Path, target: Path) -> None:
    if target.exists():
        src, dst = source.stat(), target.stat()
        # rsync -u: leave a newer destination; its quick check: same size and time.
        if dst.st_mtime > src.st_mtime or (dst.st_mtime == src.st_mtime and dst.st_size == src.st_size):
            return
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        try:
            shutil.copyfile(source, target)
        except shutil.SameFileError:
            pass


def gather(association, destination, exp_types=(), exclude_types=(), source_folder=None,
           beside_asn: bool = False) -> Path:
    """Copy the members of ``association`` and a rewritten association into ``destination``.

    Parameters
    ----------
    association : str or os.PathLike
        The association file.
    destination : str or os.PathLike
        Folder to copy into; made if missing (asn_gather needs it to exist).
    exp_types : list of str, optional
        Only members of these exptypes (default: all).
    exclude_types : list of str, optional
        Not members of these exptypes.
    source_folder : str or os.PathLike, optional
        Where the members are (default: the association's folder).
    beside_asn : bool
        Look for members with a folder part in the source folder too (a
        fix; asn_gather looks from the current folder).

    Returns
    -------
    Path
        The written association, ``destination / <association's name>``.

    Examples
    --------
    >>> from asnsql.tools.gather import gather
    >>> gather("fixtures/tools/inputs/gather/src/primary_asn.json", "/tmp/gathered", exp_types=["science"])
    PosixPath('/tmp/gathered/primary_asn.json')
    """
    doc, copies = gather_plan(association, destination, exp_types, exclude_types, source_folder,
                              beside_asn)
    destination = Path(destination)
    try:
        destination.mkdir(parents=True, exist_ok=True)
        for source, target in copies:
            _copy(source, target)
    except OSError as exc:
        raise AssociationFileError(f"{destination}: cannot copy into it: "
                                   f"{exc.strerror or exc}") from None
    return write_text_atomic(destination / Path(association).name, serialize(doc))

