"""Where the SQL files live: in a source checkout, an installed wheel or a zipped package."""

import atexit
import contextlib
import functools
import tempfile
from importlib import resources
from pathlib import Path

# Holds the folder a zipped package's SQL is copied out to, until exit.
_EXTRACTED = contextlib.ExitStack()
atexit.register(_EXTRACTED.close)


@functools.cache
def sql_root() -> Path:
    """Return the folder holding ``views/``, ``shapes/``, ``level2/``, ``level3/``.

    A source checkout (and an editable install) keeps it beside the package;
    a wheel ships it inside the package as ``asnsql/sql/``. Callers glob it
    and name files by path, so it is always a real folder: a package imported
    from a zip file has its SQL copied out once, to a folder removed at exit.
    """
    beside = Path(__file__).resolve().parent.parent / "sql"
    if (beside / "views").is_dir():
        return beside
    shipped = resources.files("asnsql") / "sql"
    if isinstance(shipped, Path):
        return shipped
    folder = Path(_EXTRACTED.enter_context(tempfile.TemporaryDirectory(prefix="asnsql-sql-")))
    _copy_tree(shipped, folder)
    return folder


def _copy_tree(tree, folder: Path) -> None:
    """Copy a package resource folder (any Traversable) into ``folder``."""
    for child in tree.iterdir():
        if child.is_dir():
            (folder / child.name).mkdir()
            _copy_tree(child, folder / child.name)
        else:
            (folder / child.name).write_bytes(child.read_bytes())


@functools.cache
def read_sql(relative: str) -> str:
    """Return the text of one SQL file under :func:`sql_root` (read once: they never change)."""
    return (sql_root() / relative).read_text()


@functools.cache
def base_files() -> dict[str, Path]:
    """The stage bases: table name -> ``sql/bases/NN_<name>.sql``, in build order.

    A base is one SELECT over ``items`` (or an earlier base) that the engine
    materialises once; rules read it as they read ``items``.
    """
    return {path.stem.split("_", 1)[1]: path
            for path in sorted((sql_root() / "bases").glob("*.sql"))}


def base_sql(name: str) -> str:
    """The SELECT that defines stage base ``name``."""
    return read_sql(f"bases/{base_files()[name].name}")
