"""Build an association from a list of files: the twin of jwst's ``asn_from_list``.

The document is asn_from_list's, field for field (``code_version`` aside),
quirks included (see docs/tools.md): ``asn_type`` is ``"None"``,
``asn_id`` is ``"a3001"`` whatever ``acid`` says, Level 2 products are named
after their science file whatever ``product_name`` says. Beyond the
reference, a file may carry its exptype (``name.fits:background``); in a
Level 2 association, files of any type but ``science`` are attached to every
science product instead of making products of their own.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from asnsql import __version__
from asnsql.naming import DEGRADED_OK, remove_suffix
from asnsql.errors import AssociationFileError, ToolWarning
from asnsql.tools.load import serialize, write_text_atomic

__all__ = ["asn_from_list", "parse_item", "write_asn_from_list", "KNOWN_EXPTYPES"]

LEVEL3_BASE = "DMS_Level3_Base"
LEVEL2_BASE = "DMSLevel2bBase"
BASE = "Association"
DEFAULT_ACID = "o999"
# Member types the pipeline reads; another one is kept, with a warning.
KNOWN_EXPTYPES = ("science", "background", "imprint", "psf", "selfcal", "target_acquisition",
                  "sourcecat", "segmap", "direct_image")
_TYPED = re.compile(r"^(?P<name>.+):(?P<type>[A-Za-z_][A-Za-z0-9_]*)$")


def parse_item(item) -> tuple[str, str | None]:
    """``"a.fits:background"`` -> ``("a.fits", "background")``; ``"a.fits"`` -> ``("a.fits", None)``.

    A ``(name, exptype)`` pair is taken as it is.
    """
    if isinstance(item, tuple):
        return item[0], item[1]
    match = _TYPED.match(item)
    if match:
        return match["name"], match["type"].lower()
    return item, None


def _rule_kind(rule: str) -> tuple[str, str, dict]:
    """(canonical name, "2" | "3" | "base", validity options) of a rule name."""
    if rule in (LEVEL3_BASE, LEVEL2_BASE, BASE):
        return rule, {LEVEL3_BASE: "3", LEVEL2_BASE: "2", BASE: "base"}[rule], {}
    from asnsql.errors import RuleError
    from asnsql.registry import load_rules
    from asnsql.rulesdoc import find_rule

    try:
        found = find_rule(load_rules(), rule)
    except RuleError as err:
        raise AssociationFileError(f"-r {rule}: {err}; or one of {LEVEL3_BASE}, {LEVEL2_BASE}, "
                                   f"{BASE}") from None
    return found.name, str(found.level), found.options


def _head(rule_name: str) -> dict:
    return {"asn_type": "None", "asn_rule": rule_name, "version_id": None,
            "code_version": f"asnsql {__version__}"}


def _level2_products(items) -> list[dict]:
    typed = any(t not in (None, "science") for _, t in items)
    if not typed:
        # The reference: one product per file, named after it.
        return [{"name": remove_suffix(_stem_path(name)),
                 "members": [{"expname": name, "exptype": t or "science"}]} for name, t in items]
    attached = [{"expname": n, "exptype": t} for n, t in items if t not in (None, "science")]
    return [{"name": remove_suffix(_stem_path(name)),
             "members": [{"expname": name, "exptype": "science"}, *attached]}
            for name, t in items if t in (None, "science")]


def _stem_path(expname: str) -> str:
    path = Path(expname)
    return str(path.parent / path.stem)


def _check_level2(products, acid: str) -> None:
    members = [m for p in products for m in p["members"]]
    if not any(m["exptype"] == "science" for m in members):
        raise AssociationFileError("a Level 2 association needs a science member")
    if acid.startswith("o"):
        return
    if not acid.startswith("c"):
        raise AssociationFileError(f"-i {acid}: a candidate id is oNNN (observation) or "
                                   "cNNNN (background)")
    if not any(m["exptype"] == "background" for m in members):
        raise AssociationFileError(f"-i {acid}: a background candidate's Level 2 association "
                                   "needs a background member (name.fits:background)")


def _check_level3(rule: str, members, options: dict) -> None:
    if not any(m["exptype"] == "science" for m in members):
        raise AssociationFileError("a Level 3 association needs a science member")
    held = {m["exptype"] for m in members}
    needed = [t for t in options.get("valid_requires", ()) if t not in held]
    if needed:
        raise AssociationFileError(f"-r {rule}: needs a member of type {', '.join(needed)} "
                                   f"(name.fits:{needed[0]})")
    if len(members) < options.get("valid_min_members", 0):
        raise AssociationFileError(f"-r {rule}: needs at least {options['valid_min_members']} members")
    # A listed association's candidate is discovered (a3001): rules held to
    # other candidate types are never valid from a list, as in the reference.
    allowed = options.get("valid_candidate_types")
    if allowed:
        raise AssociationFileError(f"-r {rule}: only valid for {', '.join(allowed)} candidates, "
                                   "which a list of files is not")


def asn_from_list(items, rule: str = LEVEL3_BASE, product_name: str | None = None,
                  acid: str = DEFAULT_ACID) -> dict:
    """The association asn_from_list makes of ``items``.

    Parameters
    ----------
    items : list of str or (str, str)
        File names, each optionally ``name:exptype`` or a ``(name, exptype)``
        pair; the default exptype is ``science``.
    rule : str
        ``DMS_Level3_Base`` (one product holding every file),
        ``DMSLevel2bBase`` (one product per science file), ``Association``
        (a bare ``members`` list), or a rule name of ``asnsql rules``, which
        takes its level's form and its validity tests.
    product_name : str, optional
        The Level 3 product name (required there); ignored for Level 2, as
        in the reference, with a warning.
    acid : str
        Candidate id. As in the reference it never reaches the document
        (``asn_id`` is ``a3001``); for Level 2 a background id (``c...``)
        needs a background member. A non-default value warns.

    Returns
    -------
    dict
        The document, fields in the reference's order.

    Raises
    ------
    AssociationFileError
        Unknown rule, no product name for Level 3, no science member, or a
        rule's validity test fails (the reference writes an empty file).

    Examples
    --------
    >>> from asnsql.tools.fromlist import asn_from_list
    >>> doc = asn_from_list(["a_cal.fits", "b_cal.fits"], product_name="mosaic")
    >>> doc["products"][0]["members"][1]
    {'expname': 'b_cal.fits', 'exptype': 'science'}
    """
    if not items:
        raise AssociationFileError("no files given")
    name, level, options = _rule_kind(rule)
    parsed = [parse_item(item) for item in items]
    for file_name, exptype in parsed:
        if exptype is not None and exptype not in KNOWN_EXPTYPES:
            warnings.warn(f"{file_name}: exptype {exptype} is not one the pipeline reads "
                          f"({', '.join(KNOWN_EXPTYPES)}); kept as given", ToolWarning, stacklevel=2)
    doc = _document(name, level, options, parsed, product_name, acid)
    if acid != DEFAULT_ACID and level != "base":
        warnings.warn(f"-i {acid}: not written, as asn_from_list does: asn_id is a3001", ToolWarning,
                      stacklevel=2)
    return doc


def _document(name, level, options, parsed, product_name, acid) -> dict:
    if level == "base":
        if any(t is not None for _, t in parsed):
            raise AssociationFileError(f"-r {BASE}: its members are bare names; no exptypes")
        return {**_head(name), "members": [n for n, _ in parsed]}
    doc = _head(name)
    doc.update({"degraded_status": DEGRADED_OK, "program": "noprogram",
                "constraints": "No constraints", "asn_id": "a3001"})
    if level == "2":
        if product_name is not None:
            warnings.warn(f"--product-name {product_name}: ignored for Level 2, as asn_from_list "
                          "does: each product is named after its science file", ToolWarning,
                          stacklevel=3)
        products = _level2_products(parsed)
        _check_level2(products, acid)
        doc["asn_pool"] = "none"
        doc["products"] = products
        return doc
    if product_name is None:
        raise AssociationFileError("--product-name: a Level 3 association needs a product name")
    members = [{"expname": n, "exptype": t or "science"} for n, t in parsed]
    _check_level3(name, members, options)
    doc.update({"target": "none", "asn_pool": "none",
                "products": [{"name": product_name, "members": members}]})
    return doc


def write_asn_from_list(output, items, fmt: str = "json", **kwargs) -> Path:
    """`asn_from_list`, written to ``output`` atomically; nothing is written on error."""
    if fmt != "json":
        raise AssociationFileError(f"-f {fmt}: only json is written (jwst deprecates yaml "
                                   "associations)")
    doc = asn_from_list(items, **kwargs)
    return write_text_atomic(output, serialize(doc))
