"""Association documents and the files they are written to."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path


def serialize(doc: dict) -> str:
    """Text exactly as the reference writes it: 4-space indent, ASCII, no final newline."""
    return json.dumps(doc, indent=4, separators=(",", ": "))


def write_texts(named: dict[str, str], folder: Path) -> list[Path]:
    """Write ``{file name: JSON text}`` into ``folder`` so that they all appear, or none.

    A new folder is written whole under a scratch name beside it and renamed
    into place (one rename); into a folder that exists, the files are written
    to a scratch folder inside it and each moved in once all are written.

    Raises
    ------
    OSError
        The folder cannot be written; nothing of this call is left in it.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    fresh = not folder.exists()
    scratch = tempfile.mkdtemp(dir=folder.parent if fresh else folder,
                               prefix=f".asnsql-{folder.name}-" if fresh else ".asnsql-")
    try:
        for name, text in named.items():
            if os.sep in name:  # a file in a subfolder (that exists in ``folder``)
                os.makedirs(os.path.join(scratch, os.path.dirname(name)), exist_ok=True)
            fd = os.open(os.path.join(scratch, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                os.write(fd, text.encode())  # documents are ASCII; orphan pools may not be
            finally:
                os.close(fd)
        if fresh:
            os.chmod(scratch, 0o755)
            os.rename(scratch, folder)
        else:
            for name in named:
                os.replace(os.path.join(scratch, name), folder / name)
    finally:
        if os.path.isdir(scratch):
            shutil.rmtree(scratch, ignore_errors=True)
    return [folder / name for name in named]
