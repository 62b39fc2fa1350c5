"""Read association files, check them against the schemas, write them atomically.

``load_asn`` is the twin of jwst's: the document comes back as a plain
``dict`` in file order. Every problem is an `AssociationFileError` whose
message is one line naming the file.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import warnings
from functools import cache
from importlib import resources
from pathlib import Path

from asnsql.documents import serialize
from asnsql.errors import AssociationFileError, ToolWarning

__all__ = ["load_asn", "read_asn", "schema_problems", "write_text_atomic", "serialize"]

# Stage 3 documents are told apart by their rule (jwst's own rule names).
_LEVEL3_RULE_PREFIXES = ("DMS_Level3", "Asn_Lv3")


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file beside it.

    Raises
    ------
    AssociationFileError
        The folder is missing or not writable; nothing is left behind.
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".",
                                   prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise AssociationFileError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        # mkstemp makes the file private; give it the mode a plain write would.
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AssociationFileError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_asn(path: str | os.PathLike) -> dict:
    """The JSON object in ``path``, keys in file order, with no schema check.

    Raises
    ------
    AssociationFileError
        Missing, unreadable, not JSON, or not a JSON object.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AssociationFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise AssociationFileError(f"{path}: is a folder, not an association file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AssociationFileError(f"{path}: cannot read: {exc}") from None
    return _parse(text, str(path))


def _parse(text: str, name: str) -> dict:
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise AssociationFileError(f"{name}: not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise AssociationFileError(f"{name}: not an association: the JSON is a "
                                   f"{type(doc).__name__}, not an object")
    return doc


@cache
def _schema(level: str) -> dict:
    text = resources.files("asnsql.tools").joinpath(f"schemas/asn_level{level}.json").read_text()
    return json.loads(text)


def document_level(doc: dict) -> str:
    """``"3"`` for a Stage 3 document (by its ``asn_rule``), else ``"2b"``."""
    rule = doc.get("asn_rule")
    return "3" if isinstance(rule, str) and rule.startswith(_LEVEL3_RULE_PREFIXES) else "2b"


def _where(doc: dict, path) -> str:
    """``products[1] (name).members[0]`` for a jsonschema error path."""
    parts, node = [], doc
    for step in path:
        if isinstance(step, int):
            parts[-1] += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name"), str) and parts[-1].startswith("products"):
                parts[-1] += f" ({node['name']})"
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)


def _check(doc: dict, level: str) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft7Validator(_schema(level))
    problems = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = _where(doc, error.absolute_path)
        problems.append(f"{where}: {_say(error)}" if where else _say(error))
    return problems


def schema_problems(doc, strict: bool = False) -> list[str]:
    """Every way ``doc`` breaks its level's association schema, one line each.

    As jwst's registry, a document is valid when either schema accepts it;
    the problems listed are those of its own level's schema (Level 3 when
    ``asn_rule`` is a Stage 3 rule, ``DMS_Level3_Base`` or ``Asn_Lv3...``,
    otherwise Level 2b). With ``strict``, a Stage 3 document must pass the
    Level 3 schema itself (string ``asn_id`` and ``target``, ``version_id``
    string or null), which jwst does not ask.
    """
    if not isinstance(doc, dict):
        return [f"not an association: the JSON is a {type(doc).__name__}, not an object"]
    level = document_level(doc)
    problems = _check(doc, level)
    if problems and not strict and level == "3" and not _check(doc, "2b"):
        return []
    return problems


def _say(error) -> str:
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in error.instance]
        return f"missing {', '.join(missing)}"
    if error.validator == "type":
        wanted = error.validator_value
        wanted = " or ".join(wanted) if isinstance(wanted, list) else wanted
        return f"must be {wanted}, not {json.dumps(error.instance)[:40]}"
    return error.message


def path_warnings(doc: dict, name: str) -> list[str]:
    """Members whose ``expname`` carries a folder: jwst warns about each file that has any."""
    for product in doc.get("products", []):
        for member in product.get("members", []):
            expname = member.get("expname") if isinstance(member, dict) else None
            if isinstance(expname, str) and Path(expname).parent != Path():
                return [f"{name}: expname {expname} contains path information; this can "
                        "complicate usage and sharing of the association"]
    return []


def load_asn(fp_or_path, validate: bool = True, strict: bool = False) -> dict:
    """Load an association, as jwst's ``load_asn`` does, as a plain ``dict``.

    Parameters
    ----------
    fp_or_path : str, os.PathLike or file object
        A path to an association file, an open file, or JSON text (a string
        starting with ``{``, which jwst's ``load_asn`` also takes).
    validate : bool
        Check the document against the Level 2b or Level 3 association
        schema (by its ``asn_rule``), and warn (`asnsql.errors.ToolWarning`)
        when a member's ``expname`` has a folder part, as jwst does.
    strict : bool
        Hold a Stage 3 document to the Level 3 schema itself (see
        `schema_problems`); jwst accepts one that passes Level 2b.

    Returns
    -------
    dict
        The document, keys in file order.

    Raises
    ------
    AssociationFileError
        The file is missing, not JSON, or (with ``validate``) breaks the
        schema; the message is one line naming the file and the first problem.

    Examples
    --------
    >>> import asnsql
    >>> doc = asnsql.load_asn("fixtures/tools/inputs/asn/asn_level2.json")
    >>> doc["products"][0]["name"]
    'test_lrs1_rate'
    """
    if isinstance(fp_or_path, str) and fp_or_path.lstrip().startswith("{"):
        name, doc = "<string>", _parse(fp_or_path, "<string>")
    elif isinstance(fp_or_path, (str, os.PathLike)):
        name, doc = os.fspath(fp_or_path), read_asn(fp_or_path)
    elif isinstance(fp_or_path, io.IOBase) or hasattr(fp_or_path, "read"):
        name = getattr(fp_or_path, "name", "<file>")
        if hasattr(fp_or_path, "seek"):
            fp_or_path.seek(0)
        text = fp_or_path.read()
        doc = _parse(text.decode() if isinstance(text, bytes) else text, str(name))
    else:
        raise AssociationFileError(f"{fp_or_path!r}: not a path, file or JSON text")
    if validate:
        problems = schema_problems(doc, strict=strict)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise AssociationFileError(f"{name}: not a valid association: {problems[0]}{more}")
        for message in path_warnings(doc, str(name)):
            warnings.warn(message, ToolWarning, stacklevel=2)
    return doc
