"""docs/rules.md is what the rule headers say now."""

from pathlib import Path

from asnsql.registry import load_rules
from asnsql.rulesdoc import render

RULES_MD = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def test_rules_doc_is_up_to_date():
    committed = RULES_MD.read_text()
    assert committed == render(load_rules()), (
        "docs/rules.md is out of date with the rule headers; regenerate it with"
        " `python -m asnsql.rulesdoc` (or `.venv/bin/python -m asnsql.rulesdoc`) and commit it"
    )
