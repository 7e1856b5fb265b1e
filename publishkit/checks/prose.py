"""The text of an article, unit by unit, with the source line of every character.

Works on the pandoc AST read with ``+sourcepos`` (wrapper Spans/Divs carry ``data-pos``), so a
finding can name the line in ``source/<slug>.md`` without searching the Markdown with regexes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..kit.doctree import AST, Node

_POS = re.compile(r"(\d+):\d+-\d+:\d+$")
# Typographic quotes as ASCII, for matching and for textstat. One character for one, so offsets
# into the plain text are offsets into the author's text too.
PLAIN = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
# Containers whose text is not running prose for the readability formulas.
_KINDS = {
    "BulletList": "list",
    "OrderedList": "list",
    "DefinitionList": "list",
    "Table": "table",
    "Figure": "figure",
}


# Where an element keeps its ``[id, classes, key-values]``: the index into its ``c``.
_ATTR_AT = {
    "Span": 0,
    "Div": 0,
    "CodeBlock": 0,
    "Code": 0,
    "Table": 0,
    "Figure": 0,
    "Link": 0,
    "Image": 0,
    "Header": 1,
}


def attr_of(node: Node) -> list[Any] | None:
    """The ``[id, classes, key-values]`` of an element that has attributes."""
    at = _ATTR_AT.get(node.get("t"))  # type: ignore[arg-type]
    return None if at is None else node["c"][at]


def pos_line(node: Node) -> int | None:
    """The first source line of ``node`` when pandoc recorded it (``data-pos``)."""
    at = _ATTR_AT.get(node.get("t"))  # type: ignore[arg-type]
    return None if at is None else _attr_line(node["c"][at])


def _attr_line(attr: list[Any]) -> int | None:
    if attr:
        for k, v in attr[2]:
            if k == "data-pos":
                m = _POS.search(v)
                if m:
                    return int(m.group(1))
    return None


def first_line(value: Any, default: int) -> int:
    """The first recorded line at or under ``value``, else ``default``."""
    if isinstance(value, dict) and "t" in value:
        own = pos_line(value)
        if own is not None:
            return own
    if isinstance(value, dict | list):
        for child in value.values() if isinstance(value, dict) else value:
            if isinstance(child, dict | list):
                line = first_line(child, 0)
                if line:
                    return line
    return default


def walk_lines(value: Any, line: int = 1) -> Iterator[tuple[Node, int]]:
    """Every element with the source line it starts on (its own, else the nearest known)."""
    out: list[tuple[Node, int]] = []
    _collect_lines(value, line, out)
    return iter(out)


def _collect_lines(value: Any, line: int, out: list[tuple[Node, int]]) -> None:
    # Appends to one list instead of chaining generators (which costs a step per nesting level
    # for every node), and works out each element's line once.
    if isinstance(value, dict):
        if "t" in value:
            _collect_element(value, line, out)
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, dict) and "t" in v:
                line = _collect_element(v, line, out)  # a sibling without a position takes this line
            elif isinstance(v, list):
                _collect_lines(v, line, out)


def _collect_element(node: Node, line: int, out: list[tuple[Node, int]]) -> int:
    c = node.get("c")
    at = _ATTR_AT.get(node["t"])
    own = None if at is None else _attr_line(c[at])  # type: ignore[index]
    if own is not None:
        line = own
    elif not (isinstance(c, str) and len(node) == 2):  # a Str holds no position: skip the search
        line = first_line(node, line)
    out.append((node, line))
    if isinstance(c, list):
        # The attributes hold only text: walking them (four lists for every word of a document
        # read with source positions) found nothing and was most of the walk's time.
        _collect_lines(c if at is None else c[:at] + c[at + 1 :], line, out)
    elif isinstance(c, dict):
        _collect_lines(c, line, out)
    return line


@dataclass
class Unit:
    """One block of text: a paragraph, a heading, a list item, a table cell, a footnote."""

    kind: str  # para | heading | list | table | figure | note
    text: str
    lines: list[int]  # source line (relative to the body) of each character of text
    section: int  # index into Document.sections
    level: int = 0  # headings only

    @property
    def line(self) -> int:
        return self.lines[0] if self.lines else 1

    def line_at(self, offset: int) -> int:
        return self.lines[min(max(offset, 0), len(self.lines) - 1)] if self.lines else 1


@dataclass
class Section:
    title: str  # "" for the text before the first ## heading
    line: int


@dataclass
class Document:
    units: list[Unit] = field(default_factory=list)
    sections: list[Section] = field(default_factory=lambda: [Section("", 1)])


class _Inlines:
    """Flattens inlines to text, keeping each character's line; collects footnotes on the way."""

    def __init__(self, line: int) -> None:
        self.parts: list[str] = []
        self.lines: list[int] = []
        self.line = line
        self.notes: list[tuple[list[Node], int]] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.lines.extend([self.line] * len(text))

    def go(self, value: Any) -> None:
        if isinstance(value, list):
            for v in value:
                self.go(v)
            return
        if not isinstance(value, dict) or "t" not in value:
            return
        t: str = value["t"]
        c: Any = value.get("c")
        own = pos_line(value)
        if own is not None:
            self.line = own
        if t == "Str":
            self.add(c)
        elif t in ("Space", "SoftBreak", "LineBreak"):
            self.add(" ")
        elif t in ("Code", "Math"):
            self.add(c[1])
        elif t == "Quoted":
            self.add('"' if c[0]["t"] == "DoubleQuote" else "'")
            self.go(c[1])
            self.add('"' if c[0]["t"] == "DoubleQuote" else "'")
        elif t == "Note":
            self.notes.append((c, self.line))
        elif t in ("Image", "RawInline"):
            return  # alt text is not running text; raw passthrough never reaches an output
        elif t in ("Span", "Link", "Cite"):
            self.go(c[1])
        else:
            self.go(c)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _squash(text: str, lines: list[int]) -> tuple[str, list[int]]:
    """Collapse runs of spaces and trim, keeping the per-character lines aligned."""
    if text == " ".join(text.split()):
        # Nothing to collapse (split() and isspace() know the same white space): most units.
        return text, lines[:]
    out: list[str] = []
    out_lines: list[int] = []
    for ch, ln in zip(text, lines, strict=True):
        if ch.isspace():
            if not out or out[-1] == " ":
                continue
            ch = " "
        out.append(ch)
        out_lines.append(ln)
    if out and out[-1] == " ":
        out.pop()
        out_lines.pop()
    return "".join(out), out_lines


def read_document(ast: AST) -> Document:
    """Every unit of text in document order, split into ``##`` sections."""
    doc = Document()

    def emit(kind: str, inlines: Any, line: int, level: int = 0) -> None:
        flat = _Inlines(line)
        flat.go(inlines)
        text, lines = _squash(flat.text, flat.lines)
        if text:
            doc.units.append(Unit(kind, text, lines, len(doc.sections) - 1, level))
        for note_blocks, note_line in flat.notes:
            blocks(note_blocks, "note", note_line)

    def blocks(value: Any, kind: str, line: int) -> None:
        if isinstance(value, list):
            for v in value:
                blocks(v, kind, line)
                line = first_line(v, line) if isinstance(v, dict) else line
            return
        if not isinstance(value, dict) or "t" not in value:
            if isinstance(value, dict):
                for v in value.values():
                    blocks(v, kind, line)
            return
        t: str = value["t"]
        c: Any = value.get("c")
        line = first_line(value, line)
        if t in ("Para", "Plain"):
            emit(kind, c, line)
        elif t == "Header":
            if c[0] <= 2:
                doc.sections.append(Section(_text_of(c[2]), line))
            emit("heading", c[2], line, level=c[0])
        elif t == "LineBlock":
            emit(kind, [x for row in c for x in (*row, {"t": "Space"})], line)
        elif t in ("CodeBlock", "RawBlock", "HorizontalRule"):
            return
        elif t == "DefinitionList":
            for term, definitions in c:
                emit("list", term, first_line(term, line))
                blocks(definitions, "list", line)
        else:
            blocks(c, _KINDS.get(t, kind), line)

    blocks(ast.get("blocks", []), "para", 1)
    return doc


def _text_of(inlines: Any) -> str:
    flat = _Inlines(0)
    flat.go(inlines)
    return " ".join(flat.text.split())
