"""The approved text and the current text as one Word document with tracked changes (w:ins / w:del).

A clinician opens it in Word or LibreOffice, reads every change in the Review pane and accepts the
lot (or rejects a change to see the approved wording). The text is the article's source file, so
front matter and Markdown marks are shown as written; headings are styled as headings.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..kit.docxkit import rezip, zip_time

AUTHOR = "publishkit"
PARA = "\n"  # the token for a paragraph break
# A Markdown line that starts its own paragraph even without a blank line before it.
_BLOCK = re.compile(r"^(#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\|)")
_HEADING = re.compile(r"^#{1,6}$")
# An indented front matter line that is not a key or a list item: a folded value's next line.
_CONTINUED = re.compile(r"^\s+(?=\S)(?![-\w]+:(\s|$)|-\s)")


def tokens(text: str) -> list[str]:
    """Words, with PARA between paragraphs: at blank lines, before each front matter line (but a
    folded value's next line) and before each heading, list item, quote or table row
    (hard-wrapped prose stays one paragraph)."""
    out: list[str] = []
    lines = text.splitlines()
    front = bool(lines) and lines[0].strip() == "---"
    after_front = False
    for i, line in enumerate(lines):
        s = line.strip()
        starts = not s or after_front or _BLOCK.match(s) or (front and not _CONTINUED.match(line))
        if starts and out and out[-1] != PARA:
            out.append(PARA)
        after_front = front and i > 0 and s == "---"
        front = front and not after_front
        out += s.split()
    while out and out[-1] == PARA:
        out.pop()
    return out


def runs(old: str, new: str) -> list[tuple[str, list[str]]]:
    """The current text as (op, tokens) runs against the approved: "=" kept, "-" deleted, "+" inserted."""
    a, b = tokens(old), tokens(new)
    out: list[tuple[str, list[str]]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", b[j1:j2]))
            continue
        if i2 > i1:
            out.append(("-", a[i1:i2]))
        if j2 > j1:
            out.append(("+", b[j1:j2]))
    return out


@dataclass
class _Writer:
    """Appends runs to a python-docx document, one w:ins / w:del per run of changed words."""

    document: Any
    date: str
    next_id: int = 1
    paragraph: Any = None
    filled: bool = False
    revisions: list[str] = field(default_factory=list)

    def new_paragraph(self, style: str | None = None) -> None:
        self.paragraph = self.document.add_paragraph(style=style)
        self.filled = False

    def _mark(self, op: str) -> Any:
        el = OxmlElement("w:ins" if op == "+" else "w:del")
        el.set(qn("w:id"), str(self.next_id))
        el.set(qn("w:author"), AUTHOR)
        el.set(qn("w:date"), self.date)
        self.next_id += 1
        self.revisions.append(op)
        return el

    def words(self, op: str, words: Sequence[str]) -> None:
        if not words:
            return
        text = (" " if self.filled else "") + " ".join(words)
        self.filled = True
        run = OxmlElement("w:r")
        t = OxmlElement("w:delText" if op == "-" else "w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        run.append(t)
        if op == "=":
            self.paragraph._p.append(run)
            return
        mark = self._mark(op)
        mark.append(run)
        self.paragraph._p.append(mark)

    def break_paragraph(self, op: str) -> None:
        """End the paragraph; an inserted or deleted break is a tracked paragraph mark."""
        if op != "=":
            rpr = OxmlElement("w:rPr")
            rpr.append(self._mark(op))
            self.paragraph._p.get_or_add_pPr().append(rpr)
        self.new_paragraph()

    def text(self, diff: Sequence[tuple[str, list[str]]]) -> None:
        self.new_paragraph()
        for op, toks in diff:
            for segment, brk in _split(toks):
                if op == "=" and not self.filled and segment and _HEADING.match(segment[0]):
                    self.paragraph.style = f"Heading {min(len(segment[0]), 4)}"
                    segment = segment[1:]
                self.words(op, segment)
                if brk and self.filled:
                    self.break_paragraph(op)


def _split(toks: Sequence[str]) -> Iterator[tuple[list[str], bool]]:
    """The tokens between paragraph breaks, each with whether a break follows it."""
    segment: list[str] = []
    for t in toks:
        if t == PARA:
            yield segment, True
            segment = []
        else:
            segment.append(t)
    yield segment, False


@dataclass(frozen=True)
class Disclaimers:
    """One disclaimer's wording then and now (empty when it did not or does not apply)."""

    id: str
    old: str
    new: str


def changes_docx(
    *,
    title: str,
    heading: str,
    old: str,
    new: str,
    disclaimers: Sequence[Disclaimers],
    built_at: datetime,
) -> tuple[bytes, list[str]]:
    """The DOCX bytes (equal input, equal bytes) and the ops of its revisions in order."""
    document = docx.Document()
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, AUTHOR, AUTHOR
    props.created = props.modified = built_at.replace(tzinfo=None)
    props.revision = 1
    stamp = built_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    writer = _Writer(document, stamp)
    document.add_heading(title, level=0)
    document.add_paragraph(heading)
    document.add_heading("Article", level=1)
    writer.text(runs(old, new))
    document.add_heading("Disclaimers", level=1)
    for d in disclaimers:
        document.add_heading(d.id, level=3)
        writer.text(runs(d.old, d.new))
    out = io.BytesIO()
    document.save(out)
    return rezip(out.getvalue(), zip_time(built_at)), writer.revisions
