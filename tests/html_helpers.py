"""Reading the HTML we build as a browser would: its visible text, and whether anything in it could run."""

from __future__ import annotations

from html.parser import HTMLParser

# Tags that run or load something, whatever their attributes.
ACTIVE_TAGS = {"script", "iframe", "object", "embed", "img", "svg", "math", "link", "meta", "base", "form", "style"}
# Tags that have no end tag, so they open no element that text could be inside.
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.tagged: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.hidden: list[bool] = []  # per open element: whether its inline style hides it (display:none)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]
        self.tagged += [(tag, name, value or "") for name, value in attrs]
        if tag not in VOID_TAGS:
            style = "".join(value or "" for name, value in attrs if name == "style").replace(" ", "").lower()
            self.hidden.append("display:none" in style)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_TAGS and self.hidden:
            self.hidden.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.hidden):
            self.text.append(data)


def read(markup: str) -> _Reader:
    reader = _Reader()
    reader.feed(str(markup))
    reader.close()
    return reader


def visible(markup: str) -> str:
    """The text a browser shows for ``markup`` (tags dropped, entities decoded, elements an inline
    ``display:none`` hides left out)."""
    return "".join(read(markup).text)


def inert(markup: str) -> list[str]:
    """What in ``markup`` could run script: event-handler attributes, active tags, script URLs (empty: nothing)."""
    reader = read(markup)
    found = [f"<{tag}>" for tag in reader.tags if tag in ACTIVE_TAGS]
    found += [f"{name}=" for name, _ in reader.attributes if name.lower().startswith("on")]
    found += [f"{name}={value}" for name, value in reader.attributes if "javascript:" in value.lower()]
    return found


def attribute(markup: str, name: str, tag: str | None = None) -> list[str]:
    """Every value of attribute ``name`` in ``markup`` (decoded), of ``tag`` elements only if given."""
    return [value for of, key, value in read(markup).tagged if key == name and tag in (None, of)]
