"""Turn rule members into association records: one job, no decisions.

Everything here reads ``rule_members`` and copies values into
:class:`Association` objects in the reference's field order; which exposures
belong together was decided in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import PurePosixPath

from asnsql.registry import Rule

DEGRADED_OK = "No known degraded exposures in association."
DEGRADED_NOTOK = (
    "One or more members have an error associated with them."
    "\nDetails can be found in the member.exposerr attribute."
)
# What the reference counts as "no error" in a member's exposerr.
EMPTY_VALUES = frozenset({None, "", "null", "--", "n", "f", "false", "n/a"})
DISCOVERED_ID = "a3001"

_SUFFIXES = resources.files("asnsql").joinpath("known_suffixes.txt").read_text().split()
# A file stem, then optionally one known suffix after '_' or '-'; the root is
# group 1. Python's re and DuckDB's RE2 read it alike (the SQL macro
# `without_suffix` uses it too).
SUFFIX_PATTERN = r"^(.+?)((_|-)(" + "|".join(map(re.escape, _SUFFIXES)) + r"))?$"
_SUFFIX_RE = re.compile(SUFFIX_PATTERN)


@dataclass
class Association:
    """One association on its way to a file.

    ``creation`` orders associations as the reference creates them (pass,
    creating row, rule); finalising keeps, drops and numbers them by it.
    """

    rule: Rule
    registry: str
    asn_id: str
    acid_type: str
    creation: tuple
    program: str
    target: str
    product_name: str
    members: list[dict]
    obs_nums: frozenset = frozenset()
    constraints: str = ""
    sequence: int = 0
    extra: dict = field(default_factory=dict)
    # Pool row (`_row`) of each member, None for members that are not pool
    # rows; kept beside `members` so the documents stay exactly the reference's.
    rows: list = field(default_factory=list)
    @property
    def asn_type(self) -> str:
        return self.rule.asn_type

    @property
    def level(self) -> int:
        return self.rule.level

    def membership(self) -> frozenset | None:
        """Members as (expname, exptype) pairs; None when an expname repeats.

        Two associations are duplicates when these are equal; the reference
        never calls a product with a repeated member a duplicate.
        """
        pairs = [(m["expname"], m["exptype"]) for m in self.members]
        if len({p[0] for p in pairs}) != len(pairs):
            return None
        return frozenset(pairs)

    def file_stem(self, version_id: str | None) -> str:
        """The reference's association name, e.g. ``jw99009-o001_image2_00001_asn``."""
        stamp = f"_{version_id}" if version_id else ""
        name = f"jw{self.program}-{self.asn_id}{stamp}_{self.asn_type}_{self.sequence:05d}_asn"
        return name.lower()


def remove_suffix(stem: str) -> str:
    """Drop one known pipeline suffix (``_rate``, ``_cal``, ...) from a file stem."""
    return _SUFFIX_RE.match(stem).group(1)


def pad_program(program: str) -> str:
    return program.rjust(5, "0")


def _joined(values) -> str:
    return "-".join(sorted((re.escape(v) for v in values if v is not None), key=str.lower))


def stage3_product_name(rule: Rule, program: str, asn_id: str, rows: list[dict]) -> tuple[str, str]:
    """Product name and target (``tNNN``) of a Stage 3 association.

    Name parts are the distinct values the members the rule accepted (all
    but target acquisitions) carry, the way the reference joins the values
    its constraints found. A rule's ``name_parts`` (a map) fill further
    placeholders of its ``product_name`` template.
    """
    science = [r for r in rows if r["role_science"]]
    target = "t" + _joined({r["target"] for r in science}).rjust(3, "0")
    instrument = _joined({r["instrument"] for r in science})
    opt = [_joined({r[k] for r in science}) for k in ("opt_elem", "opt_elem2")]
    opt_elem = "-".join(sorted((o for o in opt if o), key=str.lower)) or "clear"
    slits = {r["slit"] for r in science if r["slit"] is not None}
    paired = _joined(s for s in slits if s in ("s200a1", "s200a2"))
    single = _joined(s for s in slits if s not in ("s200a1", "s200a2"))
    slit = "-".join(sorted({s for s in (paired, single) if s}, key=str.lower))
    subarray = _joined({r["subarray"] for r in science})
    extra = {}
    for r in science:
        for key, value in (r.get("name_parts") or {}).items():
            extra.setdefault(key, set()).add(value)
    template = rule.options.get(
        "product_name", "jw{program}-{acid}_{target}_{instrument}_{opt_elem}{slit}{subarray}"
    )
    name = template.format_map(_KeepUnknown(
        {key: _joined(values) for key, values in extra.items()},
        program=program,
        acid=asn_id,
        target=target,
        instrument=instrument,
        opt_elem=opt_elem,
        slit=f"-{slit}" if slit else "",
        subarray="" if subarray in ("", "full") else f"-{subarray}",
    ))
    return name.lower(), target


class _KeepUnknown(dict):
    """Leave placeholders a name does not fill (``{source_id}``) for the pipeline."""

    def __missing__(self, key):
        return "{" + key + "}"


def stage2_product_name(members: list[dict]) -> str:
    """The science member's file name without directory, extension or suffix."""
    science = [m for m in members if m["exptype"] == "science"]
    if not science:
        return "undefined"
    path = PurePosixPath(science[0]["expname"])
    stem = str(path.parent / path.stem) if str(path.parent) != "." else path.stem
    return remove_suffix(stem)


def describe_constraints(rule: Rule, keys: dict) -> str:
    """Our ``constraints`` text: the SQL rule and the key values that made the association."""
    shown = ", ".join(f"{k}={v}" for k, v in keys.items() if v is not None)
    return f"rule {rule.name} ({rule.path.parent.name}/{rule.path.name}): {shown}"


def assemble(con, rules: list[Rule], pool_name: str) -> list[Association]:
    """Read ``rule_members`` into :class:`Association` records, in creation order."""
    by_name = {r.name: r for r in rules}
    rows = con.execute(
        """
        SELECT
            m.rule, m.rule_rank, m.run_id, m.asn_key, m.creator_row, m._row,
            m.exptype, m.expname, m.member_order, m.program, m.target,
            m.instrument, m.opt_elem, m.opt_elem2, m.slit, m.subarray, m.obs_num,
            m.name_parts, r.registry, r.cand_id, r.cand_type,
            e.raw_exposerr, i.item_candidate, c.raw_program, c.raw_targetid
        FROM rule_members AS m
        JOIN runs AS r USING (run_id)
        -- The creating row names the association even when it is no member.
        JOIN exposures AS c ON c._row = m.creator_row
        -- Members that are not pool rows (WFSS catalogs) have no exposure.
        LEFT JOIN exposures AS e ON e._row = m._row
        LEFT JOIN items AS i ON i.run_id = m.run_id AND i._row = m._row
        ORDER BY m.run_id, m.creator_row, m.rule_rank, m.asn_key, m.member_order
        """
    ).fetchall()
    names = [
        "rule", "rule_rank", "run_id", "asn_key", "creator_row", "_row", "exptype",
        "expname", "member_order", "program", "target", "instrument", "opt_elem",
        "opt_elem2", "slit", "subarray", "obs_num", "name_parts", "registry", "cand_id", "cand_type",
        "exposerr", "item_candidate", "raw_program", "raw_targetid",
    ]
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        record = dict(zip(names, row, strict=True))
        key = (record["run_id"], record["creator_row"], record["rule_rank"], record["asn_key"])
        groups.setdefault(key, []).append(record)

    associations = []
    for key, members in groups.items():
        first = members[0]
        rule = by_name[first["rule"]]
        asn_id = first["cand_id"] if first["registry"] == "candidate" else DISCOVERED_ID
        acid_type = first["cand_type"]
        docs = []
        for m in members:
            if m["_row"] is None:
                # Not a pool row: the reference writes only these two fields.
                docs.append({"expname": m["expname"], "exptype": m["exptype"]})
                continue
            doc = {"expname": m["expname"], "exptype": m["exptype"], "exposerr": m["exposerr"]}
            if rule.level == 3:
                doc["asn_candidate"] = m["item_candidate"]
            docs.append(doc)
        for m in members:
            # Members the rule's own constraints accepted (science, and the
            # backgrounds spectral rules take) pin the name parts and the
            # observation numbers; target acquisitions join on their
            # observation alone.
            m["role_science"] = m["exptype"] != "target_acquisition"
        program = pad_program(first["raw_program"])
        if rule.level == 3:
            product, target = stage3_product_name(rule, program, asn_id, members)
            obs = frozenset(re.escape(m["obs_num"]) for m in members
                            if m["role_science"] and m["obs_num"] is not None)
        else:
            product, target, obs = stage2_product_name(docs), first["raw_targetid"], frozenset()
        keys = {
            "candidate": asn_id,
            "program": first["program"],
            "instrument": first["instrument"],
            "target": first["target"],
            "opt_elem": first["opt_elem"],
            "opt_elem2": first["opt_elem2"],
            "slit": first["slit"],
            "subarray": first["subarray"],
        }
        associations.append(
            Association(
                rule=rule,
                registry=first["registry"],
                asn_id=asn_id,
                acid_type=acid_type,
                creation=key[:3],
                program=program,
                target=target,
                product_name=product,
                members=docs,
                obs_nums=obs,
                constraints=describe_constraints(rule, keys),
                extra={"pool_name": pool_name},
                rows=[m["_row"] for m in members],
            )
        )
    return associations
