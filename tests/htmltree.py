"""A small HTML tree for tests: parse a page with the standard library, then find elements."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)  # Element or str
    parent: Element | None = None

    def text(self) -> str:
        """All text below the element, as the browser's textContent."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs) -> list[Element]:
        """Elements below (and including) this one with this tag and attribute values.

        An attribute value of True asks only that the attribute be present;
        ``class_`` matches one class among several.
        """
        found = []
        for el in self.iter():
            if tag is not None and el.tag != tag:
                continue
            if all(_matches(el, name, want) for name, want in attrs.items()):
                found.append(el)
        return found

    def find(self, tag: str | None = None, **attrs) -> Element:
        (el,) = self.find_all(tag, **attrs)[:1] or [None]
        assert el is not None, f"no <{tag}> with {attrs}"
        return el


def _matches(el: Element, name: str, want) -> bool:
    if name == "class_":
        return want in el.attrs.get("class", "").split()
    name = name.replace("_", "-")
    if want is True:
        return name in el.attrs
    return el.attrs.get(name) == want


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.at = self.root

    def handle_starttag(self, tag, attrs):
        el = Element(tag, {k: ("" if v is None else v) for k, v in attrs}, parent=self.at)
        self.at.children.append(el)
        if tag not in VOID:
            self.at = el

    def handle_endtag(self, tag):
        node = self.at
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None, f"</{tag}> closes nothing open"
        self.at = node.parent

    def handle_data(self, data):
        self.at.children.append(data)


def parse(page: str) -> Element:
    """The document tree of ``page``; fails on an end tag that closes nothing."""
    builder = _Builder()
    builder.feed(page)
    builder.close()
    return builder.root
