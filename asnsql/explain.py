"""Explain what became of one exposure: its candidates, the associations it
joined, and for every rule it did not join, what kept it out.

A rule's conditions are the WHERE terms of its SQL file, read with sqlglot:
first those of the innermost SELECT over ``items``, then outwards. Each term
is evaluated as a boolean over the exposure's own rows of ``items`` (one per
generation pass); the first that is false or NULL is the answer, said with the
rule file's comment on that line when it has one, otherwise in the words of
:mod:`asnsql.phrases`. When every term holds, the rule's shape or the
finalising steps (validity, duplicate pruning) are the reason, and
:class:`asnsql.fates.Fates` reads what finalising recorded (``asn_fate``) to say which.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field

import duckdb
import sqlglot
from sqlglot import exp

from asnsql.errors import AsnsqlError
from asnsql.explore import one_line
from asnsql.fates import Fates
from asnsql.phrases import describe_values, words
from asnsql.sqlfiles import base_files, base_sql

# What finalising says of an association of attachments only (`asn_fate`).
NO_SCIENCE = "it holds no science exposure"
# Why a target acquisition that no rule condition speaks of is in no association.
ACQ_REASON = ("a target acquisition joins only associations whose science shares its"
              " observation, and none did")

# The exposure's rows of `items`, made once per explained exposure.
_ITEMS = "asnsql_explain_items"
_PER_RUN = f"SELECT * FROM {_ITEMS} WHERE run_id = $asnsql_run"
# The rows of `items` of every exposure explained together (see `_Stage.prefetch`).
_BATCH = "asnsql_explain_batch"


class ExplainError(AsnsqlError):
    """The exposure asked about is not in the pool."""


@dataclass(frozen=True)
class Joined:
    """One written association holding the exposure."""

    file_name: str
    asn_rule: str
    product_name: str
    exptype: str


@dataclass(frozen=True)
class Outcome:
    """Why one rule did not take the exposure in one pass.

    ``reason`` is one sentence; ``detail`` the exposure's values of the
    columns the failing condition reads; ``where`` the rule file and line.
    ``met`` says how close the rule came: how many of its conditions the
    exposure met before the one that failed (all of them when the rule's
    shape left it out); ``made`` that the rule did make an association
    holding it, which finalising dropped (closer still).
    """

    rule: str
    pass_label: str
    reason: str
    detail: str = ""
    where: str = ""
    met: int = 0
    made: bool = False


@dataclass
class Explanation:
    """Everything ``asnsql explain`` says about one pool row."""

    filename: str
    pool_name: str
    row: int
    candidates: list[tuple[str, str]]
    passes: list[str]
    joined: list[Joined]
    outcomes: list[Outcome] = field(default_factory=list)
    joined_rules: dict = field(default_factory=dict)  # rule -> pass labels it joined in


def explain(generation, filename: str, rules=None) -> list[Explanation]:
    """Explain each pool row whose ``filename`` matches (case-insensitive).

    Parameters
    ----------
    generation : asnsql.Generation
        What :func:`asnsql.generate` returned; its connection holds the views.
    filename : str
        The exposure's file name as the pool lists it.
    rules : iterable of str, optional
        Tell only about these rules (names as ``asnsql rules`` lists them).

    Raises
    ------
    ExplainError
        No pool row has that file name (the message suggests close ones).
    asnsql.errors.RuleError
        A rule asked for does not exist.
    """
    from asnsql.rulesdoc import find_rule

    con = generation.con
    chosen = generation.rules
    if rules:
        wanted = {find_rule(generation.rules, name).name for name in rules}
        chosen = [rule for rule in generation.rules if rule.name in wanted]
    rows = con.execute(
        "SELECT _row, filename FROM pool WHERE lower(filename) = lower($f) ORDER BY _row",
        {"f": filename.strip()},
    ).fetchall()
    if not rows:
        names = [r[0] for r in con.execute(
            "SELECT filename FROM pool WHERE filename IS NOT NULL ORDER BY _row").fetchall()]
        close = difflib.get_close_matches(filename.strip().lower(), names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ExplainError(f"{filename}: no exposure of that name in {generation.pool.name}{hint}")
    return _explain_all(generation, chosen, rows)


def explain_rows(generation, rows) -> list[Explanation]:
    """Explain pool rows by ``_row``, sharing the work across them.

    Replaying finalisation and reading each rule's conditions is done once
    for all the rows, so explaining many rows (every orphan of a pool, for
    ``asnsql report``) costs much less than one :func:`explain` call each.

    Parameters
    ----------
    generation : asnsql.Generation
        What :func:`asnsql.generate` returned.
    rows : iterable of int
        ``_row`` values of the ``pool`` view; unknown ones are left out.
    """
    wanted = sorted(set(rows))
    if not wanted:
        return []
    found = generation.con.execute(
        "SELECT _row, coalesce(filename, '') FROM pool"
        " WHERE list_contains($rows, _row) ORDER BY _row",
        {"rows": wanted},
    ).fetchall()
    return _explain_all(generation, generation.rules, found)


def _explain_all(generation, rules, rows, batch: bool = True) -> list[Explanation]:
    con = generation.con
    fates = Fates(generation)
    checks = {}
    try:
        if batch and len(rows) > 1:
            # Row-local conditions are evaluated for every row at once: one query per rule
            # instead of one per rule and row.
            con.execute(f"CREATE OR REPLACE TEMP TABLE {_BATCH} AS SELECT * FROM items"
                        " WHERE list_contains($rows, _row)", {"rows": [r for r, _ in rows]})
            for rule in rules:
                checks[rule.name] = RuleCheck(rule)
                checks[rule.name].prefetch(con)
        return [_explain_row(generation, rules, fates, checks, row, name) for row, name in rows]
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_ITEMS}")
        con.execute(f"DROP TABLE IF EXISTS {_BATCH}")


def _explain_row(generation, rules, fates, checks, row: int, name: str) -> Explanation:
    con = generation.con
    candidates = con.execute(
        "SELECT cand_id, cand_type FROM candidates WHERE _row = $r ORDER BY cand_pos", {"r": row}
    ).fetchall()
    runs = con.execute(
        "SELECT DISTINCT run_id, registry, cand_id FROM items WHERE _row = $r ORDER BY run_id",
        {"r": row},
    ).fetchall()
    labels = {run: (f"candidate {cand}" if registry == "candidate" else "discovery")
              for run, registry, cand in runs}
    joined = [Joined(*r) for r in con.execute(
        "SELECT DISTINCT a.file_name, a.asn_rule, a.product_name, m.exptype"
        " FROM members AS m JOIN associations AS a USING (file_name)"
        " WHERE m._row = $r ORDER BY a.file_name, m.exptype",
        {"r": row},
    ).fetchall()]
    explanation = Explanation(name, generation.pool.name, row, candidates,
                              [labels[r[0]] for r in runs], joined)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_ITEMS} AS SELECT * FROM items WHERE _row = $r",
                {"r": row})
    for rule in rules:
        reasons = {}
        for run_id, label in labels.items():
            if fates.joined(rule.name, run_id, row):
                explanation.joined_rules.setdefault(rule.name, []).append(label)
            else:
                reasons[run_id] = fates.dropped(rule.name, run_id, row)
        unexplained = [run_id for run_id, reason in reasons.items() if reason is None]
        if unexplained:
            if rule.name not in checks:
                checks[rule.name] = RuleCheck(rule)
            reasons.update(checks[rule.name].explain_runs(con, unexplained, row))
        for run_id, reason in reasons.items():
            if isinstance(reason, str):  # finalising dropped the rule's association
                if reason.endswith(NO_SCIENCE):  # an attachment alone: say why no science took it
                    if rule.name not in checks:
                        checks[rule.name] = RuleCheck(rule)
                    reason += checks[rule.name].closest_science(con, run_id)
                explanation.outcomes.append(Outcome(rule.name, labels[run_id], reason, made=True))
            else:
                explanation.outcomes.append(Outcome(rule.name, labels[run_id], *reason))
    return explanation


class RuleCheck:
    """A rule's WHERE terms, ready to evaluate over one exposure's rows of ``items``."""

    def __init__(self, rule):
        self.rule = rule
        self.lines = rule.sql.splitlines()
        self.error = None
        self.stages: list[_Stage] = []
        self.science: dict[int, list] = {}  # pass -> its science rows' keys (see closest_science)
        try:
            tree = sqlglot.parse_one(rule.sql, dialect="duckdb")
        except sqlglot.errors.ParseError as err:
            self.error = f"its SQL could not be read: {str(err).splitlines()[0]}"
            return
        if rule.params:
            self.error = "it takes parameters, so its conditions cannot be checked alone"
            return
        tree = _expand_bases(tree)
        for select in _row_selects(tree):
            if select.args.get("where") is not None:
                self.stages.append(_Stage(self, tree, select))
        self.full_sql = _restrict(tree.copy(), per_run=False).sql(dialect="duckdb")

    def prefetch(self, con) -> None:
        """Evaluate the row-local stages over every exposure explained together."""
        if not self.error:
            for stage in self.stages:
                stage.prefetch(con)

    def explain_runs(self, con, run_ids: list[int],
                     row: int | None = None) -> dict[int, tuple[str, str, str, int]]:
        """For each pass: (reason, values, file:line, terms met) of the first term not true.

        Passes that meet every term get the reason the rule's shape gives.
        """
        if self.error:
            return {run: (f"not checked: {self.error}", "", self.rule.path.name, 0)
                    for run in run_ids}
        result = {}
        alive = list(run_ids)
        met = 0
        if self.rule.shape == "group" and row is not None and _has_table(con, "stage3_items"):
            # The shape, not the rule's conditions, places target acquisitions.
            acquisitions = {r for (r,) in con.execute(
                "SELECT DISTINCT run_id FROM stage3_items"
                " WHERE _row = $r AND exptype = 'target_acquisition'", {"r": row}).fetchall()}
            for run in [run for run in alive if run in acquisitions]:
                result[run] = (ACQ_REASON, "", "", sum(len(s.terms) for s in self.stages))
            alive = [run for run in alive if run not in result]
        for stage in self.stages:
            failures = stage.first_failures(con, alive, row)
            for run, (reason, detail, where, index) in failures.items():
                result[run] = (reason, detail, where, met + index)
            met += len(stage.terms)
            alive = [run for run in alive if run not in result]
            if not alive:
                return result
        result.update({run: (reason, "", "", met)
                       for run, reason in self.shape_reasons(con, alive).items()})
        return result

    def shape_reasons(self, con, run_ids: list[int]) -> dict[int, str]:
        """Why a row meeting every condition is in no association of the rule."""
        by_run = self._own_rows(con)
        return {run: self._shape_reason(con, run, by_run.get(run)) for run in run_ids}

    def _own_rows(self, con) -> dict[int, dict]:
        """The rule's output rows for the explained exposure, the first of each pass."""
        try:
            cursor = con.execute(self.full_sql)
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
        except duckdb.Error:
            rows = []
        by_run = {}
        for r in rows:
            by_run.setdefault(r.get("run_id"), r)
        return by_run

    def _shape_reason(self, con, run: int, row: dict | None) -> str:
        if row is None:
            return "meets every condition, yet the rule returned no row for it"
        role, exptype = row.get("role"), row.get("exptype")
        hint = {
            "attach": "it attaches only to science exposures with the same keys, and none took it",
        }.get(role, f"the rule's {self.rule.shape!r} shape put it in no association")
        if role == "attach":
            hint += self._closest_science(con, run, row)
        said = f"role {role}, exptype {exptype}" if role else f"exptype {exptype}"
        return f"meets every condition ({said}), but {hint}"

    def closest_science(self, con, run: int) -> str:
        """For the explained exposure in pass ``run``: the keys the closest science differs in."""
        if self.error:
            return ""
        mine = self._own_rows(con).get(run)
        return self._closest_science(con, run, mine) if mine else ""

    def _closest_science(self, con, run: int, row: dict) -> str:
        """Which keys the science of the same pass closest to ``row`` differs in, as
        `; the closest science, FILE, differs in KEY ('its value', not 'this one's')`."""
        names = _key_names(self.rule.sql)
        mine = {k: row.get(k) for k in names}
        if not names or any(not isinstance(v, list) for v in mine.values()):
            return ""
        if run not in self.science:  # once per pass, however many rows are explained
            try:
                self.science[run] = con.execute(
                    f"SELECT s._row, p.filename, {', '.join('s.' + k for k in names)}"
                    f" FROM ({self.rule.sql}) AS s JOIN pool AS p USING (_row)"
                    " WHERE s.run_id = $run AND s.role = 'science' ORDER BY s._row",
                    {"run": run}).fetchall()
            except duckdb.Error:
                self.science[run] = []
        science = self.science[run]
        best = None
        for found in science:
            differs = []
            for (key, texts), theirs in zip(names.items(), found[2:], strict=True):
                ours = mine[key]
                if not isinstance(theirs, list) or len(theirs) != len(ours):
                    continue
                for text, a, b in zip(texts, ours, theirs, strict=False):
                    optional = key == "optional_key" and (a is None or b is None)
                    if a != b and not optional:
                        differs.append(f"{text} ({b!r}, not {a!r})")
            if differs and (best is None or len(differs) < len(best[1])):
                best = (found[1], differs)
        if best is None:
            return ""
        return f"; the closest science, {best[0]}, differs in {', '.join(best[1])}"

    def comment_for(self, line: int | None, base: str | None = None) -> str | None:
        """The comment for a condition starting on ``line`` of the rule file (or of stage
        base ``base``)."""
        lines = self.lines if base is None else base_sql(base).splitlines()
        if line is None or not 0 < line <= len(lines):
            return None
        above = []
        index = line - 2
        while index >= 0 and lines[index].strip().startswith("--"):
            above.insert(0, lines[index].strip()[2:].strip())
            index -= 1
        if above and index >= 0:  # never the header block at the top of the file
            return " ".join(above)
        code = re.sub(r"'(?:[^']|'')*'", "''", lines[line - 1])
        if "--" in code:
            return code.split("--", 1)[1].strip() or None
        return None


class _Stage:
    """One SELECT's WHERE terms, evaluated together as columns of one query.

    The query runs once over every pass (projecting ``run_id``); a SELECT
    that does not carry ``run_id`` is run once per pass instead.
    """

    def __init__(self, check: RuleCheck, tree: exp.Expression, select: exp.Select):
        self.check = check
        self.terms = _conjuncts(select.args["where"].this)
        derived = _derived_columns(select)
        self.derived_lines = [
            {name: line for name, (_, line) in derived.items() if name in _columns_read(term)}
            for term in self.terms
        ]
        plain = [_columns_read(term) for term in self.terms]
        full = [
            list(dict.fromkeys(n for name in names for n in [name, *derived.get(name, ((), 0))[0]]))
            for names in plain
        ]
        self.tree, self.select = tree, select
        # A stage base's own conditions are said in its file's words.
        self.source = select.meta.get("asnsql_base")
        source = select.args.get("from_") or select.args.get("from")
        inner = source.this if source is not None else None
        self.derived_from = (inner.this.meta.get("asnsql_base")
                             if isinstance(inner, exp.Subquery) else None)
        # Most informative first: all passes at once, with the inputs of derived columns.
        self.variants = [(columns, per_run) for per_run in (False, True) for columns in (full, plain)]
        self.built: dict[int, tuple] = {}
        self.fetched: dict | None = None  # (row, run) -> value rows, from `prefetch`
        self.said: dict[int, tuple[str, str]] = {}  # term index -> (reason, where)

    def prefetch(self, con) -> None:
        """Evaluate the terms over every exposure explained together, if they are row-local."""
        if not _row_local(self.select):
            return
        sql, values, columns, _ = self._variant(0)
        batched = sqlglot.parse_one(sql, dialect="duckdb")
        for table in batched.find_all(exp.Table):
            if table.name == _ITEMS:
                table.set("this", exp.to_identifier(_BATCH))
        batched.set("expressions", [exp.column("_row").as_("asnsql_rowid"), *batched.expressions])
        try:
            found = con.execute(batched.sql(dialect="duckdb")).fetchall()
        except duckdb.Error:
            return  # judged one exposure at a time, as without prefetching
        width = len(self.terms) + len(values)
        self.fetched = {}
        for r in found:
            self.fetched.setdefault((r[0], r[1]), []).append(r[-width:] if width else ())

    def _variant(self, index: int):
        if index not in self.built:
            self.built[index] = self._query(self.tree, self.select, *self.variants[index])
        return self.built[index]

    def _query(self, tree, select, columns, per_run: bool):
        values = list(dict.fromkeys(name for names in columns for name in names))
        query = select.copy()
        for key in ("where", "group", "having", "qualify", "order", "limit", "offset", "distinct"):
            query.set(key, None)
        lead = [] if per_run else [exp.column("run_id").as_("asnsql_run")]
        # The SELECT's own columns stay: a WHERE term may name one of them
        # (DuckDB lets WHERE use select-list aliases). Rows then carry them
        # ahead of the terms and values, which are read from the end.
        own = [e.copy() for e in select.expressions]
        query.set("expressions", lead + own
                  + [t.copy().as_(f"asnsql_t{i}") for i, t in enumerate(self.terms)]
                  + [exp.to_column(v).as_(f"asnsql_v{j}")
                     for j, v in enumerate(values)])
        with_key = "with_" if "with_" in tree.arg_types else "with"
        if select is not tree and tree.args.get(with_key) is not None:
            query.set(with_key, tree.args[with_key].copy())
        return _restrict(query, per_run).sql(dialect="duckdb"), values, columns, per_run

    def first_failures(self, con, run_ids: list[int],
                       row: int | None = None) -> dict[int, tuple[str, str, str, int]]:
        if self.fetched is not None and row is not None:
            _, values, columns, _ = self._variant(0)
            judged = {run: self._judge(self.fetched.get((row, run), []), values, columns)
                      for run in run_ids}
            return {run: found for run, found in judged.items() if found is not None}
        error = ""
        for index in range(len(self.variants)):
            if self.variants[index] is None:
                continue
            sql, values, columns, per_run = self._variant(index)
            try:
                width = len(self.terms) + len(values)
                if per_run:
                    rows = {run: [r[-width:] for r in con.execute(sql, {"asnsql_run": run}).fetchall()]
                            for run in run_ids}
                else:
                    rows = {}
                    for r in con.execute(sql).fetchall():
                        rows.setdefault(r[0], []).append(r[-width:] if width else ())
            except duckdb.Error as err:
                error = one_line(err)
                self.variants[index] = None  # never again for this rule
                continue
            judged = {run: self._judge(rows.get(run, []), values, columns) for run in run_ids}
            return {run: found for run, found in judged.items() if found is not None}
        return {run: (f"not checked: {error}", "", self.check.rule.path.name, 0) for run in run_ids}

    def _judge(self, rows, values, columns):
        """The first term no row makes true: (reason, values, where, index); None if all hold."""
        source = self.source
        name = base_files()[source].name if source else self.check.rule.path.name
        if not rows:
            return "no row of this exposure reaches this part of the rule", "", name, 0
        n = len(self.terms)
        for i, term in enumerate(self.terms):
            if any(r[i] is True for r in rows):
                continue
            if i not in self.said:  # the term in words, once: it is the same for every row
                line = _first_line(term)
                bare = term.this if isinstance(term, exp.Paren) else term
                where = f"{name}:{line}" if line else name
                lead = f"{base_files()[self.derived_from].name}:" if self.derived_from else "line "
                where += "".join(f"; {col} from {lead}{at}"
                                 for col, at in self.derived_lines[i].items() if at)
                said = self.check.comment_for(line, source) or words(bare)
                self.said[i] = ("not met: " + said, where)
            text, where = self.said[i]
            got = dict(zip(values, rows[0][n:], strict=True))
            detail = describe_values({v: got[v] for v in columns[i]})
            return text, detail, where, i
        return None


def _expand_bases(tree: exp.Expression) -> exp.Expression:
    """Put each stage base a query reads in its place, as the subquery that
    defines it (``sql/bases/``): its conditions are then terms like the rule's."""
    files = base_files()
    for table in list(tree.find_all(exp.Table)):
        if table.name in files and not table.args.get("db"):
            base = sqlglot.parse_one(base_sql(table.name), dialect="duckdb")
            for node in base.walk():
                if isinstance(node, exp.Select):
                    node.meta["asnsql_base"] = table.name
            base = _expand_bases(base)
            table.replace(base.subquery(table.alias or table.name))
    return tree


@functools.cache
def _key_names(sql: str) -> dict[str, list[str]]:
    """The SQL text of each element of a rule's `group_key` and `optional_key` lists."""
    try:
        tree = sqlglot.parse_one(sql, dialect="duckdb")
    except sqlglot.errors.ParseError:
        return {}
    found = {}
    for projection in getattr(tree, "expressions", []):
        if not (isinstance(projection, exp.Alias)
                and projection.alias in ("group_key", "optional_key")):
            continue
        value = projection.this
        if isinstance(value, exp.Column) and value.name in _base_lists():
            found[projection.alias] = _base_lists()[value.name]  # e.g. stage2_items' mode_key
        elif isinstance(value, exp.Array):
            found[projection.alias] = [e.sql(dialect="duckdb") for e in value.expressions]
    return found


@functools.cache
def _base_lists() -> dict[str, list[str]]:
    """The list columns the stage bases define: name -> the SQL text of each element."""
    found = {}
    for name in base_files():
        for projection in sqlglot.parse_one(base_sql(name), dialect="duckdb").expressions:
            if isinstance(projection, exp.Alias) and isinstance(projection.this, exp.Array):
                found[projection.alias] = [e.sql(dialect="duckdb")
                                           for e in projection.this.expressions]
    return found


def _has_table(con, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $n",
                            {"n": name}).fetchone()[0])


def _row_local(select: exp.Select) -> bool:
    """Whether each row of ``items`` meets the SELECT's terms on its own: it reads ``items``
    (or a subquery that is itself row-local) with no join, grouping, window or subquery,
    so that many exposures can be judged in one query."""
    source = select.args.get("from_") or select.args.get("from")
    inner = source.this if source is not None else None
    if isinstance(inner, exp.Subquery) and isinstance(inner.this, exp.Select):
        if not _row_local(inner.this):
            return False
    elif not isinstance(inner, exp.Table) or inner.name != "items" or inner.args.get("db"):
        return False
    if any(select.args.get(key) for key in ("joins", "group", "having", "qualify", "distinct",
                                             "limit", "offset")):
        return False
    parts = [*select.expressions, *([select.args["where"]] if select.args.get("where") else [])]
    return not any(isinstance(n, (exp.Window, exp.AggFunc, exp.Subquery, exp.Select))
                   for part in parts for n in part.walk())


def _row_selects(query: exp.Expression) -> list[exp.Select]:
    """The SELECTs that make rows (CTEs, FROM and JOIN subqueries), innermost first."""
    found = []

    def visit(node):
        if isinstance(node, exp.Subquery):
            visit(node.this)
            return
        if isinstance(node, exp.Union):
            visit(node.left)
            visit(node.right)
            return
        if not isinstance(node, exp.Select):
            return
        with_ = node.args.get("with_") or node.args.get("with")
        for cte in (with_.expressions if with_ else []):
            visit(cte.this)
        source = node.args.get("from_") or node.args.get("from")
        for part in ([source] if source else []) + list(node.args.get("joins") or []):
            visit(part.this)
        found.append(node)

    visit(query)
    return found


def _conjuncts(node: exp.Expression) -> list[exp.Expression]:
    """The top-level AND terms of a WHERE clause."""
    if isinstance(node, exp.And):
        return _conjuncts(node.left) + _conjuncts(node.right)
    if isinstance(node, exp.Paren) and isinstance(node.this, exp.And):
        return _conjuncts(node.this)
    return [node]


def _columns_read(node: exp.Expression) -> list[str]:
    """Column references of a term, as SQL text, in order; lambda variables left out."""
    bound = {str(v.name) for lam in node.find_all(exp.Lambda) for v in lam.expressions}
    names = []
    for column in node.find_all(exp.Column):
        if column.name in bound and not column.table:
            continue
        names.append(column.sql(dialect="duckdb"))
    return sorted(set(names), key=names.index)


def _derived_columns(select: exp.Select) -> dict[str, list[str]]:
    """Columns a SELECT's FROM subquery computes: name -> (columns read, line)."""
    source = select.args.get("from_") or select.args.get("from")
    inner = source.this if source is not None else None
    if not isinstance(inner, exp.Subquery) or not isinstance(inner.this, exp.Select):
        return {}
    return {
        projection.alias: (_columns_read(projection.this), _first_line(projection))
        for projection in inner.this.expressions
        if isinstance(projection, exp.Alias)
    }


def _restrict(query: exp.Expression, per_run: bool) -> exp.Expression:
    """Read only the explained exposure's rows (of one pass) wherever the query reads ``items``."""
    for table in list(query.find_all(exp.Table)):
        if table.name == "items" and not table.args.get("db"):
            text = _PER_RUN if per_run else f"SELECT * FROM {_ITEMS}"
            sub = sqlglot.parse_one(text, dialect="duckdb").subquery(table.alias or "items")
            table.replace(sub)
    return query


def _first_line(node: exp.Expression) -> int | None:
    lines = [n.meta["line"] for n in node.walk() if isinstance(n, exp.Expression)
             and "line" in n.meta]
    return min(lines) if lines else None


def render(explanations: list[Explanation]) -> str:
    """The text ``asnsql explain`` prints."""
    return "\n\n".join(_render_one(e) for e in explanations)


def _render_one(e: Explanation) -> str:
    out = [f"{e.filename}: row {e.row} of {e.pool_name}"]
    cands = ", ".join(f"{cid} ({ctype})" for cid, ctype in e.candidates) or "none"
    out.append(f"  candidates: {cands}")
    out.append(f"  passes: {_passes(e.passes, most=20) or 'none (no pass of this generation saw it)'}")
    listed = {cid for cid, _ in e.candidates}
    stray = [p.split(" ", 1)[1] for p in e.passes
             if p.startswith("candidate ") and p.split(" ", 1)[1] not in listed]
    if stray:
        out.append(f"  ({_passes(['candidate ' + s for s in stray])} sees it because the id is "
                   "part of its asn_candidate text, a substring match the reference makes)")
    out.append("")
    if e.joined:
        out.append(f"Joined {len(e.joined)} association{'s' if len(e.joined) != 1 else ''}:")
        widths = [max(len(getattr(j, f)) for j in e.joined)
                  for f in ("file_name", "asn_rule", "product_name")]
        for j in e.joined:
            cells = [j.file_name, j.asn_rule, j.product_name]
            out.append("  " + "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))
                       + f"  {j.exptype}")
    else:
        out.append("Joined no association.")
    if not e.outcomes:
        return "\n".join(out)
    out.append("")
    out.append("Rules it did not join:")
    by_rule: dict[str, dict[tuple, list[str]]] = {}
    for o in e.outcomes:
        same = by_rule.setdefault(o.rule, {}).setdefault((o.reason, o.detail, o.where), [])
        same.append(o.pass_label)
    for rule, groups in by_rule.items():
        if len(groups) == 1 and rule not in e.joined_rules:
            ((reason, detail, where),) = groups
            out.extend(_outcome_lines(f"  {rule}: ", reason, detail, where))
            continue
        out.append(f"  {rule}:")
        for (reason, detail, where), labels in groups.items():
            out.extend(_outcome_lines(f"    {_passes(labels)}: ", reason, detail, where))
    return "\n".join(out)


def _passes(labels: list[str], most: int = 6) -> str:
    """``candidates o001, o002 and 3 more, discovery``: passes, briefly."""
    ids = [label.split(" ", 1)[1] for label in labels if label.startswith("candidate ")]
    parts = []
    if ids:
        more = f" and {len(ids) - most} more" if len(ids) > most else ""
        parts.append(("candidate " if len(ids) == 1 else "candidates ")
                     + ", ".join(ids[:most]) + more)
    if "discovery" in labels:
        parts.append("discovery")
    return ", ".join(parts)


def _outcome_lines(lead: str, reason: str, detail: str, where: str) -> list[str]:
    lines = [lead + reason]
    extra = "  ".join(part for part in (f"({detail})" if detail else "",
                                        f"[{where}]" if where else "") if part)
    if extra:
        lines.append(" " * (len(lead) - len(lead.lstrip()) + 4) + extra)
    return lines
