"""Check association files: the schema, and optionally that every member exists."""

from __future__ import annotations

import os
from pathlib import Path

from asnsql.errors import AssociationFileError
from asnsql.tools.load import read_asn, schema_problems

__all__ = ["validate_file", "validate_files"]


def _missing_members(doc: dict, folder: Path) -> list[str]:
    problems = []
    for i, product in enumerate(doc["products"]):
        label = f"products[{i}]" + (f" ({product['name']})" if isinstance(product.get("name"), str) else "")
        for j, member in enumerate(product["members"]):
            if not (folder / member["expname"]).exists():
                problems.append(f"{label}.members[{j}]: {member['expname']} not found beside the association")
    return problems


def validate_file(path: str | os.PathLike, check_files: bool = False, strict: bool = False) -> list[str]:
    """What is wrong with one association file, one line per problem.

    Parameters
    ----------
    path : str or os.PathLike
        The association file.
    check_files : bool
        Also require every member's ``expname`` to exist, read relative to
        the association's folder.
    strict : bool
        Hold Stage 3 documents to the Level 3 schema (see
        `asnsql.tools.load.schema_problems`).

    Returns
    -------
    list of str
        Empty when the file is valid.
    """
    try:
        doc = read_asn(path)
    except AssociationFileError as err:
        return [str(err).removeprefix(f"{path}: ")]
    problems = schema_problems(doc, strict=strict)
    if not problems and check_files:
        problems = _missing_members(doc, Path(path).parent)
    return problems


def validate_files(paths, check_files: bool = False, strict: bool = False) -> dict[str, list[str]]:
    """`validate_file` for each path: ``{path: problems}`` for the invalid ones only.

    Examples
    --------
    >>> from asnsql.tools.validate import validate_files
    >>> validate_files(["fixtures/tools/inputs/asn/asn_level2.json"])
    {}
    """
    result = {}
    for path in paths:
        problems = validate_file(path, check_files=check_files, strict=strict)
        if problems:
            result[os.fspath(path)] = problems
    return result
