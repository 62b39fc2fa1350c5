"""Association documents and the files they are written to."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from asnsql import __version__
from asnsql.assemble import DEGRADED_NOTOK, DEGRADED_OK, EMPTY_VALUES, Association


def to_document(asn: Association, pool_name: str, version_id: str | None) -> dict:
    """The JSON document of one association, fields in the reference's order."""
    degraded = DEGRADED_OK
    # Judged on the association's own members: merging does not revisit it.
    if any(m.get("exposerr") not in EMPTY_VALUES for m in asn.members):
        degraded = DEGRADED_NOTOK
    doc = {
        "asn_type": asn.asn_type,
        "asn_rule": f"{asn.registry}_{asn.rule.name}",
        "version_id": version_id,
        "code_version": f"asnsql {__version__}",
        "degraded_status": degraded,
        "program": asn.program,
        "constraints": asn.constraints,
        "asn_id": asn.asn_id,
    }
    # Stage 2 and Stage 3 documents order these two fields differently.
    if asn.level == 3:
        doc["target"] = asn.target
        doc["asn_pool"] = pool_name
    else:
        doc["asn_pool"] = pool_name
        doc["target"] = asn.target
    doc["products"] = asn.products()
    return doc


def serialize(doc: dict) -> str:
    """Text exactly as the reference writes it: 4-space indent, ASCII, no final newline."""
    return json.dumps(doc, indent=4, separators=(",", ": "))


def write_documents(named: dict[str, dict], path: Path) -> list[Path]:
    """Write ``{file name: document}`` into ``path``, all or nothing.

    Files are first written to a scratch folder beside ``path`` and only moved
    in once every one of them serialised.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(dir=path, prefix=".asnsql-") as scratch:
        for name, doc in named.items():
            (Path(scratch) / name).write_text(serialize(doc))
        for name in named:
            os.replace(Path(scratch) / name, path / name)
            written.append(path / name)
    return written


def write_texts(named: dict[str, str], path: Path) -> list[Path]:
    """Write ``{file name: JSON text}`` into ``path``, all or nothing (as :func:`write_documents`)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(dir=path, prefix=".asnsql-") as scratch:
        for name, text in named.items():
            (Path(scratch) / name).write_text(text)
        for name in named:
            os.replace(Path(scratch) / name, path / name)
            written.append(path / name)
    return written
