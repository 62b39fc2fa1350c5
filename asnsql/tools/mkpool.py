"""Make a pool from exposure files: the twin of jwst's ``asn_make_pool``.

The pool is asn_make_pool's, byte for byte: one column per primary-header
keyword of any file (lowercase, sorted, ``null`` where a file lacks it),
every value as ``str()`` gives it, plus the columns no header holds. Kept
quirks (docs/tools.md): ``mostilno`` and ``dithptin`` are always ``1``,
``filename`` is the path as given (not the header's FILENAME), and
``--asn-candidate`` text is spliced in after its first character.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

from asnsql.errors import AssociationFileError, ToolWarning
from asnsql.tools.load import write_text_atomic

__all__ = ["make_pool", "write_pool"]

_IGNORED = ("", "COMMENT", "HISTORY")
# Columns no header fills: value when not given as an option.
_FIXED = {"asn_candidate": None, "dms_note": "", "is_imprt": "f", "pntgtype": "science",
          "targetid": "1", "mostilno": "1", "dithptin": "1"}


def _header(path):
    from astropy.io import fits

    name = os.fspath(path)
    if not os.path.exists(name):
        raise AssociationFileError(f"{name}: no such file")
    try:
        header = fits.getheader(name)
    except Exception as exc:  # astropy raises OSError, ValueError, ... for a bad file
        raise AssociationFileError(f"{name}: not a FITS file: {str(exc).splitlines()[0]}") from None
    for keyword in ("OBSERVTN", "TARGNAME"):
        if keyword not in header:
            raise AssociationFileError(f"{name}: no {keyword} in the primary header "
                                       "(a pool needs it)")
    values = {k.lower(): str(v) for k, v in header.items() if k not in _IGNORED}
    values["filename"] = name
    return header, values


def _candidates(observtn: str, asn_candidate) -> str:
    first = (f"o{observtn}", "observation")
    if isinstance(asn_candidate, str):
        return f"[{first}, {asn_candidate[1:]}"
    return str([first, *(asn_candidate or [])])


def make_pool(files, asn_candidate=None, dms_note: str = "", is_imprt: str = "f",
              pntgtype: str = "science"):
    """The pool asn_make_pool makes of ``files``, as an astropy ``Table``.

    Parameters
    ----------
    files : list of str or os.PathLike
        Exposure files; only their primary headers are read.
    asn_candidate : str or list of (str, str), optional
        More candidates for every exposure, after its observation candidate
        ``('oNNN', 'observation')``. A string is spliced in after its first
        character, as asn_make_pool does (``"[('c1000', 'background')]"``);
        one not starting with ``[`` warns.
    dms_note, is_imprt, pntgtype : str
        Values of those columns for every exposure.

    Returns
    -------
    astropy.table.Table
        Columns sorted by name, every value a string.

    Raises
    ------
    AssociationFileError
        A file is missing, not FITS, or lacks OBSERVTN or TARGNAME.

    Examples
    --------
    >>> from pathlib import Path
    >>> from asnsql.tools.mkpool import make_pool
    >>> files = sorted(Path("fixtures/tools/inputs/fits/miri_background").glob("*.fits"))
    >>> make_pool(files)["targetid"].tolist()
    ['1', '1', '2', '2']
    """
    from astropy.table import Table

    if not files:
        raise AssociationFileError("no exposure files given")
    if isinstance(asn_candidate, str) and not asn_candidate.startswith("["):
        warnings.warn(f"--asn-candidate {asn_candidate}: asn_make_pool drops its first character "
                      f"and writes {_candidates('NNN', asn_candidate)}; give a list: "
                      "\"[('c1000', 'background')]\"", ToolWarning, stacklevel=2)
    headers = [_header(path) for path in files]
    names = sorted({key for _, values in headers for key in values} | set(_FIXED))
    fixed = dict(_FIXED, dms_note=dms_note, is_imprt=is_imprt, pntgtype=pntgtype)
    rows, targets = [], []
    for header, values in headers:
        row = dict.fromkeys(names, "null")
        row.update(values)
        row.update(fixed)
        row["asn_candidate"] = _candidates(header["OBSERVTN"], asn_candidate)
        if row["targname"] not in targets:
            targets.append(row["targname"])
        row["targetid"] = str(len(targets))
        rows.append(row)
    return Table(rows=[[row[n] for n in names] for row in rows], names=names,
                 dtype=[object] * len(names))


def write_pool(output, files, **options) -> Path:
    """`make_pool`, written to ``output`` as asn_make_pool writes it (``|``-separated).

    The file is written beside ``output`` and moved in, so a failure leaves
    no partial pool.
    """
    table = make_pool(files, **options)
    text = io.StringIO()
    table.write(text, format="ascii", delimiter="|")
    return write_text_atomic(output, text.getvalue())
