"""Rule conditions in words a JWST user reads: a small phrasebook over sqlglot trees.

``words(node)`` renders one SQL condition. The shared macros of
``sql/views/`` get phrases (``list_contains(image2_science_exp_types(),
exp_type)`` reads "exposure type is a Stage 2 imaging science type");
``x IS NULL`` reads "x is not set"; anything else stays SQL, lower case.
"""

from __future__ import annotations

from sqlglot import exp

# Keyword names spelled out where a phrase names them.
KEYWORD_WORDS = {
    "exp_type": "exposure type",
    "pntgtype": "pointing type",
    "visitype": "visit type",
    "instrume": "instrument",
}

# Exposure-type lists (macros of sql/views/00_base.sql): "is <phrase>".
LIST_PHRASES = {
    "image2_science_exp_types": "a Stage 2 imaging science type",
    "image2_nonscience_exp_types": "a Stage 2 non-science imaging type (focus, target acquisition, ...)",
    "spec2_science_exp_types": "a Stage 2 spectroscopic science type",
}

# Boolean macros: (what it means, what NOT it means).
MACRO_PHRASES = {
    "is_wfsc": ("a wavefront-sensing and control visit", "not a wavefront-sensing and control visit"),
    "is_direct_image": ("a direct-image candidate's pass", "not a direct-image candidate's pass"),
    "stage2_mode_ok": (
        "program, instrument, detector and filter (or band) are set, and it is not a NIRSpec "
        "opaque-filter, NIRCam long-wave TSO grism or wavefront-sensing exposure",
        "NOT (program, instrument, detector and filter (or band) are set, and it is not a "
        "NIRSpec opaque-filter, NIRCam long-wave TSO grism or wavefront-sensing exposure)",
    ),
    "nrsfss_valid_detector": (
        "its slit, grating and filter reach its detector",
        "its slit, grating and filter do not reach its detector",
    ),
    "nrsifu_valid_detector": (
        "its IFU grating and filter reach its detector",
        "its IFU grating and filter do not reach its detector",
    ),
    "nrccoron_valid_detector": (
        "detector, subarray and pupil are set, and it is no full-frame detector missing the"
        " occulted target",
        "detector, subarray or pupil is not set, or it is a full-frame detector missing the"
        " occulted target",
    ),
}

# Columns ``items`` derives once for every rule: what they are called.
ITEM_NOUNS = {
    "item_exptype": "member type",
    "item_exptype2": "Stage 2 member type",
    "item_is_tso": "time series (TSO)",
    "item_ints": "processed per integration",
}



def _sql(node: exp.Expression) -> str:
    return node.sql(dialect="duckdb", normalize_functions="lower")


def _name(node: exp.Expression) -> str | None:
    """The macro name of a call such as ``is_tso(...)``, lower case."""
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    return None


def _keyword(node: exp.Expression) -> str:
    if isinstance(node, exp.Column) and not node.table:
        return KEYWORD_WORDS.get(node.name, node.name)
    return words(node)


def words(node: exp.Expression, negate: bool = False) -> str:
    """One condition (or value) in words; ``negate`` renders ``NOT node``."""
    if isinstance(node, exp.Not):
        return words(node.this, negate=not negate)
    if isinstance(node, exp.Paren):
        inner = words(node.this, negate)
        return inner if negate or not isinstance(node.this, (exp.And, exp.Or)) else f"({inner})"
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        subject = node.this
        if isinstance(subject, exp.Coalesce):
            names = [subject.this, *subject.expressions]
            subject_text = " or ".join(_keyword(n) for n in names)
            return f"{subject_text} {'is set' if negate else 'is not set'}"
        return f"{_keyword(subject)} {'is set' if negate else 'is not set'}"
    if isinstance(node, exp.ArrayContains) and _name(node.this) in LIST_PHRASES:
        verb = "is not" if negate else "is"
        return f"{_keyword(node.expression)} {verb} {LIST_PHRASES[_name(node.this)]}"
    if isinstance(node, exp.Column) and not node.table and node.name in ITEM_NOUNS:
        noun = ITEM_NOUNS[node.name]
        return f"not {noun}" if negate else noun
    name = _name(node)
    if name in MACRO_PHRASES:
        return MACRO_PHRASES[name][1 if negate else 0]
    if isinstance(node, (exp.And, exp.Or)) and not negate:
        joiner = " and " if isinstance(node, exp.And) else " or "
        return joiner.join(words(part) for part in _chain(node, type(node)))
    if isinstance(node, (exp.EQ, exp.NEQ)) and not negate:
        op = "=" if isinstance(node, exp.EQ) else "<>"
        return f"{words(node.this)} {op} {words(node.expression)}"
    if negate:
        return f"not ({words(node)})"
    return _sql(node)


def _chain(node: exp.Expression, kind: type) -> list[exp.Expression]:
    """The operands of ``a AND b AND c`` (or OR), flattened, parentheses kept."""
    if isinstance(node, kind):
        return _chain(node.left, kind) + _chain(node.right, kind)
    return [node]


def literal(value) -> str:
    """A value as SQL shows it: ``'mir_image'``, ``3``, ``true``."""
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe_values(values: dict) -> str:
    """``exp_type = 'mir_image'; bkgdtarg, is_psf not set``, in the order given."""
    shown = [f"{name} = {literal(v)}" for name, v in values.items() if v is not None]
    unset = [name for name, v in values.items() if v is None]
    parts = shown + ([f"{', '.join(unset)} not set"] if unset else [])
    return "; ".join(parts)
