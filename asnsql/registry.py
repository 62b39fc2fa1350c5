"""The rule registry: SQL rule files, their headers, and the checks they pass.

A rule file is plain DuckDB SQL. Its leading ``--`` comment lines are a TOML
header (name, asn_type, level, shape, purpose, ...); the rest is one SELECT
over the documented views. sqlglot checks every file when it loads.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from asnsql.errors import RuleError
from asnsql.sqlfiles import base_files, base_sql, read_sql, sql_root

# Views a rule may read: `items` and the stage bases built over it.
RULE_VIEWS = frozenset({"items", *base_files()})
_ALLOWED = "rules may read only items and the stage bases"

HEADER_KEYS = {"name", "asn_type", "level", "shape", "purpose"}

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _identifier(value) -> bool:
    return isinstance(value, str) and _IDENTIFIER.fullmatch(value) is not None


def _text(value) -> bool:
    return isinstance(value, str)


def _texts(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _identifiers(value) -> bool:
    return isinstance(value, list) and all(_identifier(v) for v in value)


def _template(value) -> bool:
    """A product name template: text and plain ``{name}`` fields, nothing Python could evaluate."""
    import string

    if not _text(value):
        return False
    try:
        fields = list(string.Formatter().parse(value))
    except ValueError:
        return False
    return all(name is None or (_identifier(name) and not spec and conv is None)
               for _lit, name, spec, conv in fields)


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# Every key a rule header may hold: key -> (test, what the value must be).
HEADER_SCHEMA = {
    "name": (_identifier, "an identifier string (letters, digits, _)"),
    "asn_type": (lambda v: isinstance(v, str) and re.fullmatch(r"[a-z0-9][a-z0-9_-]*", v) is not None,
                 "a string of lowercase letters, digits, - and _"),
    "level": (lambda v: v in (2, 3) and not isinstance(v, bool), "2 or 3"),
    "shape": (_identifier, "the name of a built-in shape"),
    "purpose": (_text, "a string"),
    "params": (_identifiers, "a list of parameter names"),
    "product_name": (lambda v: _template(v), "a string of {name} fields (no attributes, "
                     "indexes, conversions or format specs)"),
    "groups_on": (_text, "a string"),
    "excludes": (_text, "a string"),
    "attaches": (_text, "a string"),
    "validity": (_text, "a string"),
    "candidates": (lambda v: v == "any", '"any"'),
    "finalize": (lambda v: v == "nod_backgrounds", '"nod_backgrounds"'),
    "valid_requires": (_texts, "a list of strings"),
    "valid_candidate_types": (_texts, "a list of strings"),
    "invalid_candidate_types": (_texts, "a list of strings"),
    "valid_min_members": (_count, "a whole number >= 0"),
}

# Functions a rule may not call even where sqlglot sees them: they reach
# files, settings or the environment. DuckDB's sandbox (external access off,
# configuration locked) is the real wall; this names the culprit early.
DENIED_FUNCTIONS = frozenset({
    "getenv", "glob", "query", "query_table", "current_setting", "read_text", "read_blob",
    "copy", "load", "install",
})
DENIED_PREFIXES = ("read_", "parquet_", "sniff_", "duckdb_", "pragma_", "sqlite_", "iceberg_",
                   "delta_", "postgres_", "mysql_", "json_execute", "arrow_scan")


def check_header(header: dict, path: Path) -> None:
    """Refuse a rule header key we do not know, or a value of the wrong type."""
    for key, value in header.items():
        if key not in HEADER_SCHEMA:
            raise RuleError(f"{path}: unknown header key {key!r}; known: "
                            + ", ".join(sorted(HEADER_SCHEMA)))
        test, wanted = HEADER_SCHEMA[key]
        if not test(value):
            raise RuleError(f"{path}: header {key} = {value!r} must be {wanted}")


@dataclass(frozen=True)
class Rule:
    """One association rule: its header and its SQL.

    Attributes
    ----------
    name : str
        The rule's name as the reference spells it (``Asn_Lv3Image``); the
        written ``asn_rule`` is ``<ruleset>_<name>``.
    asn_type, level, shape, purpose : str, int, str, str
        From the header.
    sql : str
        The query, header included (DuckDB ignores comments).
    path : Path
        The file it came from.
    params : tuple of str
        Names of the ``$name`` parameters the query binds.
    options : dict
        Any other header keys (e.g. ``product_name``).
    reads : tuple of str
        Column names the query reads (found by sqlglot).
    """

    name: str
    asn_type: str
    level: int
    shape: str
    purpose: str
    sql: str
    path: Path
    params: tuple[str, ...] = ()
    options: dict = field(default_factory=dict)
    reads: tuple[str, ...] = ()

    @property
    def order(self) -> tuple:
        """The reference offers an exposure to rules by level, then by name."""
        return (self.level, self.name)


def parse_header(text: str, path: Path, required=HEADER_KEYS) -> dict:
    """Read the TOML header: the leading ``--`` lines, up to a bare ``--`` line."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("--") or stripped == "--":
            break
        lines.append(stripped[2:].removeprefix(" "))
    try:
        header = tomllib.loads("\n".join(lines))
    except tomllib.TOMLDecodeError as err:
        raise RuleError(f"{path}: header is not TOML: {err}") from None
    missing = sorted(set(required) - header.keys())
    if missing:
        raise RuleError(f"{path}: header lacks {', '.join(missing)}")
    return header


def check_sql(sql: str, path: Path, shape: str, params: tuple[str, ...]) -> tuple[str, ...]:
    """Check that a rule's query is one DuckDB SELECT keeping the rule contract.

    Returns the names of the columns the query reads.
    """
    import sqlglot  # only when a rule is not in the check cache
    from sqlglot import exp

    from sqlglot.optimizer.scope import traverse_scope

    try:
        statements = [s for s in sqlglot.parse(sql, dialect="duckdb") if s is not None]
        if len(statements) != 1 or not isinstance(statements[0], exp.Query):
            raise RuleError(f"{path}: must hold exactly one SELECT query")
        query = statements[0]
        scopes = traverse_scope(query)
    except sqlglot.errors.SqlglotError as err:
        first = (str(err).splitlines() or [type(err).__name__])[0][:200]
        raise RuleError(f"{path}: not DuckDB SQL: {first}") from None
    except RecursionError:
        raise RuleError(f"{path}: not DuckDB SQL: nested too deeply") from None
    _check_sources(query, scopes, path)
    used = {p.name for p in query.find_all(exp.Placeholder) if p.name}
    used |= {p.this.name for p in query.find_all(exp.Parameter) if p.this is not None}
    if used != set(params):
        raise RuleError(
            f"{path}: declares parameters {sorted(params)} but uses {sorted(used)}"
        )
    needs = shape_columns(shape, path)
    # `SELECT *` over a stage base passes its columns on: which they are is
    # known when the query runs, where a missing one names the rule.
    star = any(isinstance(e, exp.Star) for e in query.selects)
    if not star:
        missing = [c for c in needs if c not in query.named_selects]
        if missing:
            raise RuleError(f"{path}: shape {shape} needs columns {', '.join(missing)}")
    aliases = {a.alias for a in query.find_all(exp.Alias)}
    reads = {c.name for c in query.find_all(exp.Column)} - aliases
    if star:  # what the shape reads through the star, the rule reads
        reads |= set(needs) - aliases
    for table in query.find_all(exp.Table):
        reads |= base_reads(table.name)
    return tuple(sorted(reads))


def base_reads(name: str) -> set[str]:
    """The columns a stage base reads, its own and those of the bases it reads."""
    import sqlglot
    from sqlglot import exp

    files = base_files()
    if name not in files:
        return set()
    query = sqlglot.parse_one(base_sql(name), dialect="duckdb")
    aliases = {a.alias for a in query.find_all(exp.Alias)}
    reads = {c.name for c in query.find_all(exp.Column)} - aliases
    for table in query.find_all(exp.Table):
        if table.name != name:
            reads |= base_reads(table.name)
    return reads


def _check_sources(query, scopes, path: Path) -> None:
    """Refuse table functions, LATERAL, and every table but ``items`` (CTEs resolved by scope)."""
    from sqlglot import exp

    for node in query.find_all(exp.Lateral):
        raise RuleError(f"{path}: LATERAL {node.this.sql('duckdb')[:60]}: {_ALLOWED}")
    for table in query.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise RuleError(f"{path}: reads {table.this.sql('duckdb')[:60]}: table functions are"
                            f" not allowed; {_ALLOWED}")
        if table.args.get("db") or table.args.get("catalog"):
            raise RuleError(f"{path}: reads {table.sql('duckdb')[:60]}; {_ALLOWED}")
    for scope in scopes:
        for name, source in scope.sources.items():
            # A CTE visible from this scope resolves to its Scope; a Table is a real table.
            if isinstance(source, exp.Table) and source.name not in RULE_VIEWS:
                raise RuleError(f"{path}: reads {source.name}; {_ALLOWED}")
    for func in query.find_all(exp.Func):
        name = (func.name if isinstance(func, exp.Anonymous) else func.sql_name()).lower()
        if name in DENIED_FUNCTIONS or name.startswith(DENIED_PREFIXES):
            raise RuleError(f"{path}: calls {name}(), which rules may not call")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "asnsql" / "rules"


def checked_reads(sql: str, path: Path, shape: str, params: tuple[str, ...]) -> tuple[str, ...]:
    """`check_sql`, remembered by content: a rule text that passed once passes again.

    Parsing every rule with sqlglot costs more than generating a pool's
    associations, so a passed check is cached (under ``~/.cache/asnsql``) by
    the hash of everything it depends on. A failing rule is never cached.
    """
    needs = shape_columns(shape, path)
    key = hashlib.sha256(
        json.dumps([_CHECK_VERSION, sql, shape, list(needs), list(params),
                    [base_sql(name) for name in base_files()]]).encode()
    ).hexdigest()
    entry = _cache_dir() / f"{key}.json"
    try:
        return tuple(json.loads(entry.read_text()))
    except (OSError, ValueError):
        pass
    reads = check_sql(sql, path, shape, params)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        entry.write_text(json.dumps(list(reads)))
    except OSError:
        pass  # an unwritable cache only costs time
    return reads


# Bump when check_sql changes what it accepts or returns.
_CHECK_VERSION = 4


def builtin_shapes() -> dict[str, Path]:
    """The built-in shapes: name -> ``sql/shapes/<name>.sql``."""
    return {p.stem: p for p in sorted((sql_root() / "shapes").glob("*.sql"))}


def shape_file(shape: str, path: Path) -> Path:
    """The built-in shape of that name; a rule can name no other file."""
    shapes = builtin_shapes()
    if not isinstance(shape, str) or shape not in shapes:
        raise RuleError(f"{path}: unknown shape {shape!r}; known: {', '.join(shapes)}")
    return shapes[shape]


def shape_header(shape: str, path: Path) -> dict:
    """The header of shape ``shape`` (``sql/shapes/<shape>.sql``): the columns it
    ``needs`` from a rule's query and, where it lists them, the ``optional`` ones."""
    shape_file(shape, path)
    return _shape_header(shape)


@functools.cache
def _shape_header(shape: str) -> dict:
    return parse_header(read_sql(f"shapes/{shape}.sql"), shape_file(shape, Path(shape)),
                        required={"needs"})


def shape_columns(shape: str, path: Path) -> tuple[str, ...]:
    """The columns a shape needs from a rule's query."""
    return tuple(shape_header(shape, path)["needs"])


def load_rule(path: Path) -> Rule:
    """Load and check one rule file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as err:
        raise RuleError(f"{path}: cannot read rule file: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise RuleError(f"{path}: not UTF-8 text (byte {err.start})") from None
    return _rule_of_text(path, text)


@functools.lru_cache(maxsize=1024)
def _rule_of_text(path: Path, text: str) -> Rule:
    """A rule file's text, parsed and checked: once a process per text (a failure is not kept)."""
    header = parse_header(text, path)
    check_header(header, path)
    shape_file(header["shape"], path)
    params = tuple(header.pop("params", ()))
    reads = checked_reads(text, path, header["shape"], params)
    options = {k: v for k, v in header.items() if k not in HEADER_KEYS}
    return Rule(
        name=header["name"],
        asn_type=header["asn_type"],
        level=header["level"],
        shape=header["shape"],
        purpose=header["purpose"],
        sql=text,
        path=path,
        params=params,
        options=options,
        reads=reads,
    )


def rule_files(location: Path) -> list[Path]:
    """The ``.sql`` files of a folder (recursively), or the file itself."""
    if location.is_dir():
        return sorted(location.rglob("*.sql"))
    if location.is_file():
        return [location]
    raise RuleError(f"{location}: no such rule file or folder")


def default_rule_paths() -> list[Path]:
    """The built-in rule files, Stage 2 then Stage 3."""
    root = sql_root()
    return rule_files(root / "level2") + rule_files(root / "level3")


def load_rules(extra=(), include_default: bool = True) -> list[Rule]:
    """Load the built-in rules and any extra files or folders, in the reference's order.

    A rule loaded later replaces an earlier one of the same name, so a user's
    file can override a built-in rule.
    """
    paths = default_rule_paths() if include_default else []
    for location in extra:
        paths.extend(rule_files(Path(location)))
    if not paths:
        raise RuleError("no rules: --ignore-default needs at least one -r/--rules")
    by_name = {}
    for path in paths:
        rule = load_rule(path)
        by_name[rule.name] = rule
    return sorted(by_name.values(), key=lambda r: r.order)
