"""A rule's prose header says what its SQL does: `groups_on` names every grouping key.

The keys a rule groups on are its `group_key`, `optional_key` and
`science_key` columns; each keyword they read must be named in `groups_on`
(in the words below), so that the prose cannot drift from the SQL unseen.
"""

import dataclasses

import pytest
import sqlglot
from sqlglot import exp

from asnsql.registry import load_rules
from asnsql.sqlfiles import base_files

# Keyword (or base column) -> the words `groups_on` may name it by.
NOUNS = {
    "program": ["program"],
    "instrume": ["instrument"],
    "detector": ["detector"],
    "filter": ["filter"],
    "band": ["band"],
    "exp_type": ["exposure type", "nrc_coron"],
    "subarray": ["subarray"],
    "target": ["target"],
    "science_target": ["target (science only)"],
    "opt_elem2": ["pupil"],
    "pupil": ["pupil"],
    "grating": ["grating"],
    "slit_key": ["slit"],
    "fxd_slit": ["slit"],
    "visitype": ["visit type"],
    "tsovisit": ["tso visit"],
    "channel": ["channel"],
    "patttype": ["pattern"],
    "mostilno": ["mosaic tile"],
    "msametfl": ["msa metadata file"],
    "expspcin": ["spectral index"],
    "numdthpt": ["nod count"],
    "subpxpns": ["subpixel"],
    "subpxpts": ["subpixel"],
    "obs_id": ["observation id"],
    "act_id": ["activity"],
    "lamp": ["lamp"],
    "is_imprt": ["imprint"],
    "bkgdtarg": ["background"],
    "is_psf": ["psf"],
}
# Read by a key but no grouping value of their own: the pass's candidate
# type, a row number, the member type that decides whether a key applies.
NOT_KEYS = {"cand_type", "_row", "exptype", "is_confirm", "mode_key", "confirm_row"}
KEY_COLUMNS = ("group_key", "optional_key", "science_key")


def grouping_keywords(rule) -> list[str]:
    """The keywords a rule's key columns read, in order."""
    tree = sqlglot.parse_one(rule.sql, dialect="duckdb")
    names = []
    for select in tree.find_all(exp.Select):
        for projection in select.expressions:
            if isinstance(projection, exp.Alias) and projection.alias in KEY_COLUMNS:
                names += [c.name for c in projection.this.find_all(exp.Column)]
    expanded = []
    for name in names:  # a stage base's key column (`mode_key`) stands for what it reads
        expanded += BASE_KEYS.get(name, [name]) if name not in NOUNS else [name]
    return [n for n in dict.fromkeys(expanded) if n not in NOT_KEYS]


def _base_keys() -> dict[str, list[str]]:
    """Each list-valued column a stage base defines -> the keywords it reads."""
    found = {}
    for path in base_files().values():
        for projection in sqlglot.parse_one(path.read_text(), dialect="duckdb").expressions:
            if isinstance(projection, exp.Alias) and isinstance(projection.this, exp.Array):
                found[projection.alias] = [c.name for c in projection.this.find_all(exp.Column)]
    return found


BASE_KEYS = _base_keys()


def unnamed_keys(rule) -> list[str]:
    """The grouping keywords a rule's `groups_on` does not name."""
    said = rule.options.get("groups_on", "").lower()
    return [k for k in grouping_keywords(rule) if not any(w in said for w in NOUNS[k])]


RULES = [r for r in load_rules() if grouping_keywords(r)]


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_groups_on_names_every_grouping_key(rule):
    unknown = [k for k in grouping_keywords(rule) if k not in NOUNS]
    assert unknown == [], f"add words for {unknown} to NOUNS"
    assert unnamed_keys(rule) == [], f"{rule.path.name}: {rule.options.get('groups_on')!r}"


def test_the_check_sees_a_key_the_prose_leaves_out():
    image = next(r for r in RULES if r.name == "Asn_Lv3Image")
    drifted = dataclasses.replace(image, options={**image.options,
                                                   "groups_on": "program, instrument; filter"})
    assert unnamed_keys(drifted) == ["exp_type", "subarray", "target", "opt_elem2", "slit_key",
                                     "visitype"]
