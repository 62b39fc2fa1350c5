"""Compare association documents and output directories with the reference.

Our correctness rule: for a pool and a mode, our output directory holds the
same file names as the reference's, and each document is equal field by field
*and in the same key order*, recursively, ignoring only the top-level fields
``constraints`` and ``code_version``. JSON objects load as insertion-ordered
dicts, so key order survives loading.

In every message the reference value comes first: ``<reference> != <ours>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

# Free-text (constraints) or tool-identifying (code_version) fields: they
# describe how a document was made, not which association it is.
IGNORED_TOP_LEVEL = frozenset({"constraints", "code_version"})

_MAX_REPR = 80


@dataclass
class DirDiff:
    """Result of comparing a reference directory with ours.

    Attributes
    ----------
    matched : list of str
        File names present on both sides with equal documents.
    missing : list of str
        File names in the reference but not in ours.
    extra : list of str
        File names in ours but not in the reference.
    different : dict of str to list of str
        File names present on both sides whose documents differ (or could
        not be read), mapped to the differences.
    """

    matched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    different: dict[str, list[str]] = field(default_factory=dict)

    @property
    def n_ref(self) -> int:
        """Number of reference files."""
        return len(self.matched) + len(self.missing) + len(self.different)

    @property
    def n_ours(self) -> int:
        """Number of our files."""
        return len(self.matched) + len(self.extra) + len(self.different)

    @property
    def ok(self) -> bool:
        """True when both directories hold the same, equal documents."""
        return not (self.missing or self.extra or self.different)


def compare_documents(ref: dict, ours: dict) -> list[str]:
    """List the differences between a reference document and ours.

    Parameters
    ----------
    ref : dict
        The reference association, as loaded by `json.load`.
    ours : dict
        Our association, as loaded by `json.load`.

    Returns
    -------
    list of str
        One human-readable line per difference, naming its path
        (``products[0].members[2].expname: 'a_cal.fits' != 'a_rate.fits'``);
        empty when the documents are equal. Values compare strictly, so
        ``1``, ``1.0``, ``True`` and ``'1'`` all differ.
    """
    if not isinstance(ref, dict) or not isinstance(ours, dict):
        return [
            "top level: expected two JSON objects, got "
            f"{type(ref).__name__} != {type(ours).__name__}"
        ]
    ref = {k: v for k, v in ref.items() if k not in IGNORED_TOP_LEVEL}
    ours = {k: v for k, v in ours.items() if k not in IGNORED_TOP_LEVEL}
    out: list[str] = []
    _compare(ref, ours, "", out)
    return out


def compare_dirs(ref_dir: str | Path, our_dir: str | Path) -> DirDiff:
    """Compare every ``*.json`` document of two directories.

    Other files (orphan pools, logs) are not looked at. Subdirectories are
    not searched.

    Parameters
    ----------
    ref_dir : str or Path
        Directory of reference documents; must exist.
    our_dir : str or Path
        Directory of our documents; a missing directory counts as empty, so
        a run that wrote nothing shows every reference file as missing.

    Returns
    -------
    DirDiff
        Every file name lands in exactly one of its lists. A document that is
        not valid JSON (or repeats a key) on either side is reported under
        ``different`` rather than raised.

    Raises
    ------
    FileNotFoundError
        If `ref_dir` is not a directory.
    """
    ref_dir, our_dir = Path(ref_dir), Path(our_dir)
    if not ref_dir.is_dir():
        raise FileNotFoundError(f"{ref_dir}: reference directory does not exist")
    ref_names = _json_names(ref_dir)
    our_names = _json_names(our_dir) if our_dir.is_dir() else set()

    result = DirDiff(
        missing=sorted(ref_names - our_names),
        extra=sorted(our_names - ref_names),
    )
    for name in sorted(ref_names & our_names):
        problems = compare_files(ref_dir / name, our_dir / name)
        if problems:
            result.different[name] = problems
        else:
            result.matched.append(name)
    return result


def compare_files(ref_file: str | Path, our_file: str | Path) -> list[str]:
    """Compare two association files, as `compare_documents` does.

    Products and members are paired by position (not by name), so two
    products of the same name, as hand-made or edited associations may
    hold, compare like any others.

    Returns
    -------
    list of str
        The differences; a file that cannot be read or is not JSON is one
        ``unreadable`` line. Empty when equal.
    """
    ref_doc, ref_err = _load(Path(ref_file))
    our_doc, our_err = _load(Path(our_file))
    problems = [f"unreadable reference: {e}" for e in [ref_err] if e]
    problems += [f"unreadable ours: {e}" for e in [our_err] if e]
    return problems or compare_documents(ref_doc, our_doc)


def format_dirdiff(d: DirDiff, *, max_lines_per_file: int = 20) -> str:
    """Render a `DirDiff` as readable text.

    Parameters
    ----------
    d : DirDiff
        The comparison to render.
    max_lines_per_file : int, optional
        At most this many differences are shown per file; the rest are
        counted in a closing ``... and N more`` line.

    Returns
    -------
    str
        A summary line
        (``matched 9 of 9 reference files; 0 missing, 0 extra, 0 different``)
        followed by a section for each non-empty category.
    """
    lines = [
        f"matched {len(d.matched)} of {d.n_ref} reference files; "
        f"{len(d.missing)} missing, {len(d.extra)} extra, "
        f"{len(d.different)} different"
    ]
    if d.missing:
        lines.append("missing (in reference, not in ours):")
        lines += [f"  {name}" for name in d.missing]
    if d.extra:
        lines.append("extra (in ours, not in reference):")
        lines += [f"  {name}" for name in d.extra]
    if d.different:
        lines.append("different:")
        for name, problems in sorted(d.different.items()):
            lines.append(f"  {name}:")
            lines += [f"    {p}" for p in problems[:max_lines_per_file]]
            hidden = len(problems) - max_lines_per_file
            if hidden > 0:
                lines.append(f"    ... and {hidden} more")
    return "\n".join(lines)


def _compare(ref, ours, path: str, out: list[str]) -> None:
    if isinstance(ref, dict) and isinstance(ours, dict):
        _compare_objects(ref, ours, path, out)
    elif isinstance(ref, list) and isinstance(ours, list):
        _compare_lists(ref, ours, path, out)
    # type() check because True == 1 == 1.0 in Python but not in a document.
    elif type(ref) is not type(ours) or ref != ours:
        out.append(f"{path or 'top level'}: {_short(ref)} != {_short(ours)}")


def _compare_objects(ref: dict, ours: dict, path: str, out: list[str]) -> None:
    where = path or "top level"
    for key in ref:
        if key not in ours:
            out.append(f"{where}: missing key {key!r} (reference: {_short(ref[key])})")
    for key in ours:
        if key not in ref:
            out.append(f"{where}: extra key {key!r} (ours: {_short(ours[key])})")
    # Order is judged on shared keys only, so a missing key is reported once
    # (above) instead of also shifting the order.
    ref_order = [k for k in ref if k in ours]
    our_order = [k for k in ours if k in ref]
    if ref_order != our_order:
        out.append(f"key order differs at {where}: {ref_order} != {our_order}")
    for key in ref_order:
        _compare(ref[key], ours[key], f"{path}.{key}" if path else key, out)


def _compare_lists(ref: list, ours: list, path: str, out: list[str]) -> None:
    where = path or "top level"
    # Lists are named after their key: "members", "products".
    noun = path.rsplit(".", 1)[-1] if path and not path.endswith("]") else "items"
    if len(ref) != len(ours):
        # Element-by-element output would be noise after one insertion, so
        # name the elements only one side has instead.
        out.append(f"{where}: {len(ref)} != {len(ours)} {noun}")
        ref_labels, our_labels = [_label(x) for x in ref], [_label(x) for x in ours]
        only_ref = _multiset_minus(ref_labels, our_labels)
        only_ours = _multiset_minus(our_labels, ref_labels)
        if only_ref:
            out.append(f"{where}: only in reference: {only_ref}")
        if only_ours:
            out.append(f"{where}: only in ours: {only_ours}")
        return
    ref_keys, our_keys = [_canonical(x) for x in ref], [_canonical(x) for x in ours]
    if ref_keys == our_keys:
        return
    if sorted(ref_keys) == sorted(our_keys):
        out.append(
            f"{where}: same {len(ref)} {noun} in a different order: "
            f"{_labels(ref)} != {_labels(ours)}"
        )
        return
    for i, (a, b) in enumerate(zip(ref, ours)):
        _compare(a, b, f"{path}[{i}]", out)


def _canonical(value) -> str:
    # json.dumps keeps key order and tells 1 from 1.0 from true.
    return json.dumps(value, ensure_ascii=False)


def _label(value) -> str:
    """A short name for a list element: a member's expname, a product's name."""
    if isinstance(value, dict):
        for key in ("expname", "name"):
            if isinstance(value.get(key), str):
                return value[key]
    return _short(value)


def _labels(items: list) -> list[str]:
    """`_label` of each element; repeated names get their first member, to tell them apart."""
    labels = [_label(x) for x in items]
    out = list(labels)
    for i, (label, item) in enumerate(zip(labels, items)):
        members = item.get("members") if isinstance(item, dict) else None
        if labels.count(label) > 1 and isinstance(members, list) and members:
            out[i] = f"{label} ({_label(members[0])})"
    return out


def _multiset_minus(a: list[str], b: list[str]) -> list[str]:
    rest = list(b)
    only = []
    for x in a:
        if x in rest:
            rest.remove(x)
        else:
            only.append(x)
    return only


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def _json_names(directory: Path) -> set[str]:
    return {p.name for p in directory.glob("*.json") if p.is_file()}


def _reject_duplicates(pairs):
    # json.load silently keeps the last of repeated keys, which would hide a
    # malformed document behind an apparently equal one.
    doc = dict(pairs)
    if len(doc) != len(pairs):
        seen = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"duplicate key {dup!r}")
    return doc


def _load(path: Path):
    """Return ``(document, None)`` or ``(None, error message)``."""
    try:
        text = path.read_text(encoding="utf-8")
        return json.loads(text, object_pairs_hook=_reject_duplicates), None
    except (OSError, ValueError) as exc:
        return None, f"{path.name}: {exc}"
