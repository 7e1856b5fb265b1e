"""What a person sees of an HTML page: its visible text, its links and its <meta> values."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import ClassVar


@dataclass(frozen=True)
class VisibleHtml:
    text: str
    meta: dict[str, str]
    links: tuple[str, ...]  # every href, in order


class _VisibleText(HTMLParser):
    _SKIP: ClassVar[set[str]] = {"head", "style", "script", "title", "template"}
    _VOID: ClassVar[set[str]] = {
        "br",
        "img",
        "hr",
        "meta",
        "link",
        "input",
        "col",
        "area",
        "base",
        "source",
        "wbr",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.links: list[str] = []
        self._stack: list[bool] = []  # True where the element hides its content

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content", "")
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in self._VOID:
            if tag == "br":
                self.parts.append("\n")
            return
        style = a.get("style", "").replace(" ", "").lower()
        hidden = tag in self._SKIP or "display:none" in style or "hidden" in a
        self._stack.append(hidden)
        self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._VOID:
            return
        if self._stack:
            self._stack.pop()
        self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not any(self._stack):
            self.parts.append(data)


def visible_html(html: str) -> VisibleHtml:
    """The page's visible text (hidden elements, head, style and script left out), links and meta."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return VisibleHtml("".join(parser.parts), parser.meta, tuple(parser.links))
