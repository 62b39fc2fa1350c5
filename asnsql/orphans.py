"""Write the pool rows an association run left out, as a pool the generator reads back."""

from __future__ import annotations

from pathlib import Path

from asnsql.errors import PoolError


def write_orphans(con, source, out: Path, *, delimiter: str = "|", fmt: str = "ascii",
                  every_row: bool = True, pool: int = 0) -> None:
    """Write orphaned pool rows to ``out`` as a ``|``-separated pool (see :func:`orphans_text`)."""
    from asnsql.documents import write_texts

    out = Path(out)
    if out.is_dir():
        raise PoolError(f"{out}: --save-orphans names a folder, not a file")
    text = orphans_text(con, source, delimiter=delimiter, fmt=fmt, every_row=every_row, pool=pool)
    try:
        write_texts({out.name: text}, out.parent)
    except OSError as err:
        raise PoolError(f"{out}: cannot write orphans ({err.strerror or err})") from None


def orphans_text(con, source, *, delimiter: str = "|", fmt: str = "ascii",
                 every_row: bool = True, pool: int = 0) -> str:
    """The orphaned pool rows as the text of a ``|``-separated pool.

    The reference means to write the rows no association holds, but its test
    never matches a row, so it writes every row; ``every_row=True`` (the
    default) does the same, ``False`` writes only the true orphans (the
    ``orphans`` table).

    The file is written the way the reference writes it: through astropy,
    from the pool as astropy reads it (lowercase names and values, empty
    cells as ``null``, the file's comment lines kept), so it reads back
    identically with either tool. ``pool`` is the pool's key (``_pool``) on
    ``con``, where the engine may hold many pools.
    """
    from astropy.io.ascii import convert_numpy
    from astropy.table import Table

    keep = None
    if not every_row:
        keep = [row for (row,) in con.execute(
            "SELECT o._row - p.first_row FROM orphans AS o JOIN pools AS p USING (asn_pool)"
            " WHERE p._pool = $pool ORDER BY o._row", {"pool": pool}).fetchall()]

    if isinstance(source, (str, Path)):
        to_str, str_type = convert_numpy(str)

        def lower(values):
            return [value.lower() for value in to_str(values)]

        try:
            table = Table.read(source, format=fmt, delimiter=delimiter,
                               converters={"*": [(lower, str_type)]})
        except Exception as err:  # astropy raises many types; report one line
            raise PoolError(f"{Path(source).name}: cannot re-read for orphans: {err}") from None
        table = table.filled("null")
        for column in list(table.columns.values()):
            column.name = column.name.lower()
    else:
        names = list(con.execute("SELECT columns FROM pools WHERE _pool = $pool",
                                 {"pool": pool}).fetchone()[0])
        listed = ", ".join('"' + n.replace('"', '""') + '"' for n in names)
        rows = con.execute(f"SELECT {listed} FROM pool WHERE _pool = $pool ORDER BY _row",
                           {"pool": pool}).fetchall()
        table = Table(rows=[["null" if v is None else v for v in r] for r in rows] or None,
                      names=names, dtype=[str] * len(names))
    if keep is not None:
        table = table[keep]
    import io

    text = io.StringIO()
    table.write(text, format="ascii", delimiter="|")
    return text.getvalue()
