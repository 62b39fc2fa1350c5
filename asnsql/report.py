"""A pool's associations as one page to look at: ``asnsql report``.

:func:`build` reads what a generation left on its connection (the
``associations``, ``members``, ``orphans``, ``pool`` and ``candidate_order``
views) into a :class:`PoolReport`: a summary, the associations of each
candidate as cards and as an exposure x association matrix, and each orphan
with the reason :mod:`asnsql.explain` gives for the rules that came closest
to taking it. :func:`render` turns reports into one self-contained HTML page
(inline CSS and a few lines of inline JS, nothing from the network) with the
Jinja2 template ``templates/report.html.j2``, which escapes every value: pool
cells are untrusted text. :func:`write_report` does both for pool files.

Several pools give one page with a section per pool and a list of contents.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from asnsql.errors import AsnsqlError

# Short codes for member exposure types in the matrix (the legend spells them out).
EXPTYPE_CODES = {
    "science": "sci",
    "background": "bkg",
    "psf": "psf",
    "target_acquisition": "ta",
    "imprint": "imp",
    "direct_image": "dir",
    "sourcecat": "cat",
    "segmap": "seg",
    "autowave": "wav",
    "autoflat": "flt",
}

# Member exposure types with a colour of their own (always beside their name or code).
COLOURED = ("science", "background", "psf", "target_acquisition", "imprint")

# How many of the equally close rules an orphan's reason names.
MOST_REASONS = 3


class ReportError(AsnsqlError):
    """The report cannot be made as asked (no pools, an unusable output path)."""


@dataclass(frozen=True)
class Member:
    """One member of an association, in document order."""

    position: int
    expname: str
    exptype: str
    filename: str | None  # the pool row's file name; None for members that are no pool row
    row: int | None  # the pool row's _row
    exp_type: str | None  # the pool row's EXP_TYPE


@dataclass
class Card:
    """One written association: its file, rule, type, product and members."""

    number: int  # 1-based, in document order over the whole pool
    anchor: str
    file_name: str
    asn_rule: str
    asn_type: str
    product_name: str
    members: list[Member] = field(default_factory=list)


@dataclass
class MatrixRow:
    """One exposure of a candidate's associations, and its exptype in each of them."""

    label: str
    row: int | None
    exp_type: str | None
    cells: list[str | None]
    total: int  # associations of the whole pool holding the exposure

    @property
    def count(self) -> int:
        """In how many of the candidate's associations the exposure is."""
        return sum(cell is not None for cell in self.cells)


@dataclass
class Group:
    """The associations of one candidate (``asn_id``), in document order."""

    anchor: str
    asn_id: str
    candidate_type: str
    cards: list[Card]
    matrix: list[MatrixRow]


@dataclass(frozen=True)
class Reason:
    """Why one of the closest rules did not take an orphan."""

    rule: str
    passes: str
    reason: str
    detail: str
    where: str


@dataclass
class Orphan:
    """A pool row no written association holds."""

    row: int
    filename: str | None
    exp_type: str | None
    asn_candidate: str | None
    reasons: list[Reason] | None = None  # None: not explained (``reasons=False``)
    more: int = 0  # equally close rules not listed


@dataclass
class PoolReport:
    """Everything the page shows about one pool."""

    name: str
    n_rows: int
    n_candidates: int
    counts: list[tuple[str, str, int]]  # (asn_type, asn_rule, associations)
    groups: list[Group]
    orphans: list[Orphan]
    unknown_ids: list[str] = field(default_factory=list)

    @property
    def n_associations(self) -> int:
        """Associations written."""
        return sum(n for _, _, n in self.counts)


def build(generation, *, reasons: bool = True, anchor: str = "p0") -> PoolReport:
    """Read a generation's views into a :class:`PoolReport`.

    Parameters
    ----------
    generation : asnsql.Generation
        What :func:`asnsql.generate` returned.
    reasons : bool
        Explain each orphan (the slow part on big pools: see
        :func:`asnsql.explain.explain_rows`).
    anchor : str
        Prefix of the HTML ids of this pool's section.

    Returns
    -------
    PoolReport
    """
    con = generation.con
    order = {name: i for i, name in enumerate(generation.documents)}
    asns = con.execute(
        "SELECT file_name, asn_rule, asn_type, asn_id, candidate_type, product_name"
        " FROM associations"
    ).fetchall()
    asns.sort(key=lambda a: (order.get(a[0], len(order)), a[0]))
    exp_type = "exp_type" if "exp_type" in generation.pool.columns else "NULL"
    rows = dict(con.execute(f"SELECT _row, {exp_type} FROM pool").fetchall())
    members: dict[str, list[Member]] = {}
    for file_name, *member in con.execute(
        "SELECT file_name, position, expname, exptype, filename, _row FROM members"
        " ORDER BY file_name, position"
    ).fetchall():
        members.setdefault(file_name, []).append(Member(*member, rows.get(member[-1])))
    held = dict(con.execute(
        "SELECT coalesce(_row::VARCHAR, expname), count(DISTINCT file_name) FROM members"
        " GROUP BY ALL"
    ).fetchall())

    by_id: dict[str, list[tuple]] = {}
    for asn in asns:
        by_id.setdefault(asn[3], []).append(asn)
    # Candidates in the order the reference generates them, discovered associations last;
    # cards numbered down the page.
    rank = dict(con.execute("SELECT cand_id, cand_rank FROM candidate_order").fetchall())
    groups, number = [], 0
    for asn_id in sorted(by_id, key=lambda cand: rank.get(cand, len(rank) + 1)):
        cards = []
        for file_name, asn_rule, asn_type, _, _, product in by_id[asn_id]:
            number += 1
            cards.append(Card(number, f"{anchor}-a{number}", file_name, asn_rule, asn_type,
                              product, members.get(file_name, [])))
        groups.append(Group(f"{anchor}-g{len(groups) + 1}", asn_id, by_id[asn_id][0][4], cards,
                            _matrix(cards, rows, held)))

    orphans = [Orphan(*r) for r in con.execute(
        f"SELECT _row, filename, {exp_type}, asn_candidate FROM orphans ORDER BY _row"
    ).fetchall()]
    if reasons:
        _explain_orphans(generation, orphans)
    counts = con.execute(
        "SELECT asn_type, asn_rule, count(*) FROM associations GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    n_candidates = con.execute("SELECT count(*) FROM candidate_order").fetchone()[0]
    return PoolReport(generation.pool.name, generation.pool.n_rows, n_candidates, counts,
                      groups, orphans, list(generation.unknown_ids))


def _matrix(cards: list[Card], exp_types: dict, held: dict) -> list[MatrixRow]:
    """Exposures (pool order; members that are no pool row last) x the group's associations."""
    found: dict[tuple, MatrixRow] = {}
    for column, card in enumerate(cards):
        for member in card.members:
            row = member.row
            key = (0, row, "") if row is not None else (1, 0, member.expname)
            line = found.get(key)
            if line is None:
                label = member.filename if row is not None else member.expname
                total = held[str(row) if row is not None else member.expname]
                line = found[key] = MatrixRow(label or "", row, exp_types.get(row),
                                              [None] * len(cards), total)
            cell = line.cells[column]
            line.cells[column] = member.exptype if cell is None else f"{cell}/{member.exptype}"
    return [found[key] for key in sorted(found)]


def _explain_orphans(generation, orphans: list[Orphan]) -> None:
    """Give each orphan the reasons of the rules that came closest to taking it."""
    from asnsql.explain import explain_rows

    by_row = {o.row: o for o in orphans}
    for explanation in explain_rows(generation, list(by_row)):
        orphan = by_row[explanation.row]
        orphan.reasons = []
        if not explanation.outcomes:
            continue
        best = max((o.made, o.met) for o in explanation.outcomes)
        closest: dict[str, dict[tuple, list[str]]] = {}
        for o in explanation.outcomes:
            if (o.made, o.met) == best:
                same = closest.setdefault(o.rule, {}).setdefault((o.reason, o.detail, o.where), [])
                same.append(o.pass_label)
        for rule in list(closest)[:MOST_REASONS]:
            for (reason, detail, where), labels in closest[rule].items():
                orphan.reasons.append(Reason(rule, _passes(labels), reason, detail, where))
        orphan.more = max(0, len(closest) - MOST_REASONS)


def _passes(labels: list[str], most: int = 3) -> str:
    """``candidate o001, candidate o002 and 4 more``: the passes a reason holds for."""
    if len(labels) <= most:
        return ", ".join(labels)
    return ", ".join(labels[:most]) + f" and {len(labels) - most} more"


def exptype_code(exptype: str) -> str:
    """The matrix's short code for a member exptype (``sci`` for science...)."""
    return "/".join(EXPTYPE_CODES.get(part, part[:3]) for part in exptype.split("/"))


def exptype_class(exptype: str) -> str:
    """The CSS class that colours a member exptype."""
    return f"x-{exptype}" if exptype in COLOURED else "x-other"


def render(reports: list[PoolReport], *, title: str | None = None, options: str = "") -> str:
    """The HTML page of one or more pool reports.

    Parameters
    ----------
    reports : list of PoolReport
    title : str, optional
        The page title; by default the pool's name, or "N pools".
    options : str
        The generation options, as the page should state them.
    """
    import jinja2

    from asnsql import __version__

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("asnsql", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["code"] = exptype_code
    env.filters["cls"] = exptype_class
    if title is None:
        title = reports[0].name if len(reports) == 1 else f"{len(reports)} pools"
    used = sorted({m.exptype for r in reports for g in r.groups
                   for c in g.cards for m in c.members})
    legend = [(exptype_code(e), e) for e in used]
    return env.get_template("report.html.j2").render(
        title=title, reports=reports, options=options, version=__version__, legend=legend,
    )


def pool_files(paths) -> list[Path]:
    """Pool files from paths: a file as given, a folder as its ``*.csv`` files, by name."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = sorted(p for p in path.glob("*.csv") if p.is_file())
            if not inside:
                raise ReportError(f"{path}: folder holds no *.csv pool file")
            found.extend(inside)
        else:
            found.append(path)
    if not found:
        raise ReportError("no pool given")
    return found


def write_report(pools, output, *, reasons: bool = True, options: str = "",
                 **generate_options) -> list[PoolReport]:
    """Generate each pool and write one HTML report of them all to ``output``.

    Parameters
    ----------
    pools : iterable of paths
        Pool files, or folders of ``*.csv`` pools.
    output : path
        The HTML file; written whole or not at all (a temporary file beside
        it, then renamed).
    reasons : bool
        Explain each orphan (see :func:`build`).
    options : str
        The generation options as the page states them (the CLI passes its own).
    **generate_options
        Passed to :func:`asnsql.generate` for every pool (``discover``,
        ``ids``, ``rules``, ``merge``...).

    Returns
    -------
    list of PoolReport
    """
    from asnsql.api import generate

    output = Path(output)
    if output.is_dir():
        raise ReportError(f"{output}: is a folder; give the HTML file to write")
    reports = []
    for index, pool in enumerate(pool_files(pools)):
        generation = generate(pool, **generate_options)
        reports.append(build(generation, reasons=reasons, anchor=f"p{index}"))
        generation.con.close()
    page = render(reports, options=options)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(scratch, 0o666 & ~umask)  # as open() would make it, not mkstemp's 0600
        os.replace(scratch, output)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise
    return reports
