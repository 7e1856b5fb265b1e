"""Prove each output carries its disclaimers: extract text with a reader independent of the renderer."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import ClassVar

from .errors import AuditError


@dataclass(frozen=True)
class Extracted:
    """The text a reader finds in an output.

    ``pages``: PDF pages (or the single body of other formats). ``footers``: for paged
    formats, the footer text of every page (PDF) or section (DOCX); None where there are none.
    """

    pages: tuple[str, ...]
    footers: tuple[str, ...] | None = None
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u00ad": None,
        "\ufffe": None,
        "\u200b": None,
    }
)


def normalize(text: str) -> str:
    """Compare texts as a reader would: ignore line breaks, hyphenation at line ends,
    typographic quotes and dashes, spacing and letter case."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = text.replace("\x02", "")  # PDFium marks soft hyphens at line ends with U+0002
    text = re.sub(r"(\w)-[ \t]*\r?\n[ \t]*(\w)", r"\1\2", text)  # hyphenation at a line end
    text = re.sub(r"[*_`]", "", text)  # leftover Markdown emphasis marks
    text = re.sub(r"\s+", " ", text)
    return text.strip().casefold()


def contains(haystack_normalized: str, needle: str) -> bool:
    n = normalize(needle)
    if n in haystack_normalized:
        return True
    # A word hyphenated at a line end reads "treat-ment" once spacing is gone; compare without hyphens too.
    return n.replace("-", "") in haystack_normalized.replace("-", "")


# --- extractors ----------------------------------------------------------------------------


def extract_text(data: bytes) -> Extracted:
    return Extracted(pages=(data.decode("utf-8"),))


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
        self._stack: list[bool] = []  # True where the element hides its content

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content", "")
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


def extract_html(data: bytes) -> Extracted:
    parser = _VisibleText()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return Extracted(pages=("".join(parser.parts),), meta=parser.meta)


def extract_pdf(data: bytes) -> Extracted:
    """Text of every PDF page read by PDFium; the footer is the bottom band of each page."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    pages: list[str] = []
    footers: list[str] = []
    meta: dict[str, str] = {}
    try:
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            _w, h = page.get_size()
            # The bottom 1.4 in of the page: the footer lives in the page margin there.
            footers.append(textpage.get_text_bounded(bottom=0, top=min(h, 100.0)))
            textpage.close()
            page.close()
        meta = {k: str(v) for k, v in pdf.get_metadata_dict(skip_empty=True).items()}
    finally:
        pdf.close()
    return Extracted(pages=tuple(pages), footers=tuple(footers), meta=meta)


def _docx_paragraph_text(element: object) -> str:
    from docx.oxml.ns import qn

    parts: list[str] = []
    for node in element.iter():  # type: ignore[attr-defined]
        if node.tag == qn("w:t") and node.text:
            parts.append(node.text)
        elif node.tag in (qn("w:p"), qn("w:br"), qn("w:tab")):
            parts.append("\n" if node.tag != qn("w:tab") else " ")
    return "".join(parts)


def extract_docx(data: bytes) -> Extracted:
    """Body, tables, every header and footer part of every section, read by python-docx."""
    import docx

    document = docx.Document(io.BytesIO(data))
    body = _docx_paragraph_text(document.element.body)
    footers: list[str] = []
    headers: list[str] = []
    for section in document.sections:
        # A footer "linked to previous" shows the previous section's; python-docx resolves that.
        footers.append(_docx_paragraph_text(section.footer._element))
        headers.append(_docx_paragraph_text(section.header._element))
    cp = document.core_properties
    meta = {"title": cp.title or "", "subject": cp.subject or "", "author": cp.author or ""}
    return Extracted(pages=(body, *headers, *footers), footers=tuple(footers), meta=meta)


EXTRACTORS: dict[str, Callable[[bytes], Extracted]] = {
    "text": extract_text,
    "html": extract_html,
    "pdf": extract_pdf,
    "docx": extract_docx,
}


@dataclass(frozen=True)
class Requirement:
    id: str
    full: str  # full approved text, as plain text
    short: str


def audit(
    name: str,
    extracted: Extracted,
    requirements: Sequence[Requirement],
    review_line: str,
    marks: Sequence[str] = (),
) -> None:
    """Raise AuditError (naming the output) unless every requirement holds.

    ``marks`` are further texts the output must show, such as "Review overdue"."""
    body = normalize(extracted.text)
    for mark in marks:
        if mark and not contains(body, mark):
            raise AuditError(f"'{mark}' mark missing: the article is past its review date", path=name)
    for req in requirements:
        if not contains(body, req.full):
            raise AuditError(f"disclaimer '{req.id}' missing (full text not found)", path=name)
    if not contains(body, review_line):
        raise AuditError(f"review line '{review_line}' missing", path=name)
    if extracted.footers is not None:
        unit = "page" if name.endswith(".pdf") else "section"
        if not extracted.footers:
            raise AuditError("no pages found", path=name)
        for number, footer in enumerate(extracted.footers, 1):
            text = normalize(footer)
            for req in requirements:
                if not contains(text, req.short):
                    raise AuditError(
                        f"disclaimer '{req.id}' missing in the footer on {unit} {number}", path=name
                    )
