"""Where the SQL files live, in a source checkout and in an installed wheel."""

from importlib import resources
from pathlib import Path


def sql_root() -> Path:
    """Return the folder holding ``views/``, ``shapes/``, ``level2/``, ``level3/``.

    A source checkout (and an editable install) keeps it beside the package;
    a wheel ships it as the ``asnsql.sql`` package data.
    """
    beside = Path(__file__).resolve().parent.parent / "sql"
    if (beside / "views").is_dir():
        return beside
    return Path(str(resources.files("asnsql.sql")))


def read_sql(relative: str) -> str:
    """Return the text of one SQL file under :func:`sql_root`."""
    return (sql_root() / relative).read_text()
