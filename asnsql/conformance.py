"""Run asnsql over the reference pools and report how closely it conforms.

The conformance test-suite uses the helpers here to find its cases and to run
our generator; ``python -m asnsql.conformance`` runs every case and writes
``docs/conformance.md``.
"""

from __future__ import annotations

import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import click

from asnsql.diff import DirDiff, compare_dirs, format_dirdiff

# Mode name -> extra arguments to `asnsql generate`; the names are also the
# directory names under fixtures/reference/.
MODES = {
    "default": [],
    "discover": ["--discover"],
    "all-candidates": ["--all-candidates"],
}

REPORT_COMMAND = "python -m asnsql.conformance"
_DETAIL_LINES = 40


@dataclass(frozen=True)
class Xfail:
    """A known mismatch: `mode` is a mode name or ``"*"`` for every mode."""

    mode: str
    pool: str
    reason: str

    def applies(self, mode: str, pool_stem: str) -> bool:
        return self.pool == pool_stem and self.mode in ("*", mode)


@dataclass
class CaseResult:
    """Outcome of one (mode, pool) case; `diff` is None if our generator failed."""

    mode: str
    pool: str
    diff: DirDiff | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.diff is not None and self.diff.ok


def repo_root() -> Path:
    """Return the repository root, the parent of the ``asnsql`` package."""
    return Path(__file__).resolve().parent.parent


def reference_root() -> Path:
    """Return ``fixtures/reference``, which holds ``<mode>/<pool stem>/*.json``."""
    return repo_root() / "fixtures" / "reference"


def pool_path(pool_stem: str) -> Path:
    """Return the path of the pool ``fixtures/pools/<pool_stem>.csv``."""
    return repo_root() / "fixtures" / "pools" / f"{pool_stem}.csv"


def reference_cases() -> list[tuple[str, str]]:
    """List the cases that have reference output.

    Returns
    -------
    list of (str, str)
        Sorted ``(mode, pool_stem)`` pairs, one per directory
        ``fixtures/reference/<mode>/<pool_stem>/`` with `mode` in `MODES`.
    """
    root = reference_root()
    return sorted(
        (mode.name, d.name)
        for mode in root.iterdir()
        if mode.is_dir()
        for d in mode.iterdir()
        if d.is_dir() and (mode.name in MODES or (d / "_args.txt").is_file())
    )


def mode_args(pool_stem: str, mode: str) -> list[str]:
    """The extra ``generate`` arguments of a case.

    The three basic modes are in `MODES`; option modes record the exact
    arguments the reference ran with in ``_args.txt`` beside the goldens.
    """
    recorded = reference_root() / mode / pool_stem / "_args.txt"
    if recorded.is_file():
        return recorded.read_text().split()
    return list(MODES[mode])


def run_ours(pool_stem: str, mode: str, out_dir: str | Path):
    """Run ``asnsql generate`` on a pool, in-process through click's CliRunner.

    Parameters
    ----------
    pool_stem : str
        Pool file name without ``.csv``, under ``fixtures/pools``.
    mode : str
        A key of `MODES`, or an option mode with recorded arguments.
    out_dir : str or Path
        Where the association files are written.

    Returns
    -------
    click.testing.Result
        Check ``exit_code``, ``output`` and ``exception``.
    """
    from click.testing import CliRunner

    # Imported here so the helpers above stay usable without the CLI.
    from asnsql.cli import main as cli

    args = ["generate", str(pool_path(pool_stem)), "-p", str(out_dir), *mode_args(pool_stem, mode)]
    return CliRunner().invoke(cli, args)


def run_case(pool_stem: str, mode: str, out_dir: str | Path) -> CaseResult:
    """Run ours into `out_dir` and compare it with the reference.

    Parameters
    ----------
    pool_stem, mode : str
        The case, as listed by `reference_cases`.
    out_dir : str or Path
        An empty or missing directory for our output.

    Returns
    -------
    CaseResult
        With `error` set, and no diff, when the generator exits non-zero.
    """
    result = run_ours(pool_stem, mode, out_dir)
    if result.exit_code != 0:
        lines = result.output.strip().splitlines()
        error = lines[-1] if lines else repr(result.exception)
        return CaseResult(mode, pool_stem, error=f"exit {result.exit_code}: {error}")
    diff = compare_dirs(reference_root() / mode / pool_stem, out_dir)
    return CaseResult(mode, pool_stem, diff=diff)


def load_xfails(path: str | Path | None = None) -> list[Xfail]:
    """Read the known mismatches.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file of ``[[xfail]]`` tables with ``mode`` (a mode name or
        ``"*"``), ``pool`` and ``reason``; by default
        ``tests/conformance_xfail.toml``. A missing file means no xfails.

    Returns
    -------
    list of Xfail

    Raises
    ------
    ValueError
        If an entry lacks a field or names an unknown mode.
    """
    path = Path(path or repo_root() / "tests" / "conformance_xfail.toml")
    if not path.is_file():
        return []
    with path.open("rb") as f:
        entries = tomllib.load(f).get("xfail", [])
    xfails = []
    for i, entry in enumerate(entries, start=1):
        fields = {k: entry.get(k) for k in ("mode", "pool", "reason")}
        if not all(isinstance(v, str) and v for v in fields.values()):
            raise ValueError(f"{path}: xfail entry {i} needs a non-empty mode, pool and reason")
        known = set(MODES) | {d.name for d in reference_root().iterdir() if d.is_dir()}
        if fields["mode"] != "*" and fields["mode"] not in known:
            raise ValueError(f"{path}: xfail entry {i} has unknown mode {fields['mode']!r}")
        xfails.append(Xfail(**fields))
    return xfails


def xfail_reason(mode: str, pool_stem: str, xfails: list[Xfail] | None = None) -> str | None:
    """Return why a case is a known mismatch, or None if it is expected to pass.

    Parameters
    ----------
    mode, pool_stem : str
        The case.
    xfails : list of Xfail, optional
        Defaults to `load_xfails()`.
    """
    xfails = load_xfails() if xfails is None else xfails
    return next((x.reason for x in xfails if x.applies(mode, pool_stem)), None)


def write_report(results, path: str | Path, xfails: list[Xfail] | None = None) -> None:
    """Write the Markdown conformance report.

    Parameters
    ----------
    results : iterable of CaseResult
        One per case that was run.
    path : str or Path
        Output file, normally ``docs/conformance.md``; parents are created.
    xfails : list of Xfail, optional
        Known mismatches; defaults to `load_xfails()`.
    """
    results = {(r.mode, r.pool): r for r in results}
    xfails = load_xfails() if xfails is None else xfails
    present = {mode for mode, _ in results}
    modes = [m for m in MODES if m in present] + sorted(present - set(MODES))
    pools = sorted({pool for _, pool in results})
    failures = reference_failures()

    lines = [
        "# Conformance with jwst asn_generate",
        "",
        f"<!-- Generated by `{REPORT_COMMAND}`; do not edit by hand. -->",
        f"Generated by `{REPORT_COMMAND}`. Reference: the `asn_generate` goldens in",
        "`fixtures/reference/`. Each cell is *matched / reference / ours* file counts;",
        "✔ means every reference file is reproduced exactly (ignoring `constraints`",
        "and `code_version`) and nothing extra is written; — means not run;",
        "*both refuse* means the reference fails on the pool and asnsql refuses it",
        "with a one-line error. Option modes (ids, dms-ids, merge, no-finalize, debug,",
        "version-id, save-orphans) run with the arguments in `_args.txt` beside their goldens.",
        "",
        "| pool | " + " | ".join(modes) + " |",
        "|---|" + "---|" * len(modes),
    ]
    for pool in pools:
        cells = [
            "*both refuse* ✔" if (mode, pool) in failures and results.get((mode, pool))
            and results[(mode, pool)].error else _cell(results.get((mode, pool)), xfails)
            for mode in modes
        ]
        lines.append(f"| {pool} | " + " | ".join(cells) + " |")

    lines += ["", "## Totals", "", "| mode | pools fully matching | files matched |"]
    lines.append("|---|---|---|")
    for mode in modes:
        runs = [r for (m, _), r in sorted(results.items()) if m == mode]
        n_ok = sum(r.ok or ((mode, r.pool) in failures and bool(r.error)) for r in runs)
        matched = sum(len(r.diff.matched) for r in runs if r.diff)
        n_ref = sum(_n_ref(mode, r) for r in runs)
        lines.append(f"| {mode} | {n_ok} of {len(runs)} | {matched} of {n_ref} |")

    lines += ["", "## Known mismatches (xfail)", ""]
    for x in xfails:
        hits = [r for r in results.values() if x.applies(r.mode, r.pool)]
        status = "not run" if not hits else "now passes" if all(r.ok for r in hits) else "mismatch"
        lines.append(f"- `{x.mode}` / `{x.pool}` ({status}): {x.reason}")
    if not xfails:
        lines.append("None.")

    failing = [r for key, r in sorted(results.items())
               if not r.ok and not (key in failures and r.error)]
    lines += ["", "## Mismatch details", ""]
    for r in failing:
        text = r.error if r.error else format_dirdiff(r.diff, max_lines_per_file=5)
        shown = text.splitlines()
        if len(shown) > _DETAIL_LINES:
            shown[_DETAIL_LINES:] = [f"... {len(shown) - _DETAIL_LINES} more lines"]
        lines += [f"### {r.mode} / {r.pool}", "", "```", *shown, "```", ""]
    if not failing:
        lines.append("None.")

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")


def _n_ref(mode: str, r: CaseResult) -> int:
    # A failed run has no diff, but its reference files still count as unmatched.
    if r.diff is not None:
        return r.diff.n_ref
    return len(list((reference_root() / mode / r.pool).glob("*.json")))


def _cell(r: CaseResult | None, xfails: list[Xfail]) -> str:
    if r is None:
        return "—"
    d = r.diff
    text = "error" if d is None else f"{len(d.matched)}/{d.n_ref}/{d.n_ours}"
    if r.ok:
        return f"{text} ✔"
    if any(x.applies(r.mode, r.pool) for x in xfails):
        return f"{text} (xfail)"
    return text


@click.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Report file [default: docs/conformance.md in the repository].",
)
@click.option("--check", is_flag=True,
              help="Exit with status 1 if a case that is not a known mismatch does not match.")
def main(out: Path | None, check: bool) -> None:
    """Run every reference case through asnsql and write the conformance report.

    Example:

        python -m asnsql.conformance --out docs/conformance.md
    """
    out = out or repo_root() / "docs" / "conformance.md"
    results = []
    with tempfile.TemporaryDirectory(prefix="asnsql-conformance-") as tmp:
        for mode, pool in reference_cases():
            results.append(run_case(pool, mode, Path(tmp) / mode / pool))
    write_report(results, out)
    failures = reference_failures()

    def matches(r: CaseResult) -> bool:
        # A pool the reference cannot process matches when asnsql refuses it too.
        return r.ok or ((r.mode, r.pool) in failures and bool(r.error))

    n_ok = sum(map(matches, results))
    click.echo(f"{n_ok} of {len(results)} cases match; wrote {out}")
    if check:
        known = load_xfails()
        wrong = [f"{r.mode}/{r.pool}" for r in results if not matches(r)
                 and not any(x.applies(r.mode, r.pool) for x in known)]
        if wrong:
            shown = ", ".join(wrong[:5]) + (f" and {len(wrong) - 5} more" if len(wrong) > 5 else "")
            verb = "case does not" if len(wrong) == 1 else "cases do not"
            raise click.ClickException(f"{len(wrong)} {verb} match: {shown} (see {out})")


def reference_failures() -> set[tuple[str, str]]:
    """(mode, pool_stem) cases where the reference itself exits with an error.

    Read from ``fixtures/reference/failures.txt`` (tab-separated pool, mode,
    message; ``#`` lines are comments). asnsql must fail on these too.
    """
    path = reference_root() / "failures.txt"
    if not path.is_file():
        return set()
    cases = set()
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            pool, mode, *_ = line.split("\t")
            cases.add((mode, pool))
    return cases


if __name__ == "__main__":
    main()
