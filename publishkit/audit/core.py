"""Prove each output carries its disclaimers: extract text with a reader independent of the renderer."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from html.parser import HTMLParser
from typing import ClassVar

from ..errors import AuditError
from ..model.settings import Settings
from .bands import Running, check_bands


@dataclass(frozen=True)
class Extracted:
    """The text a reader finds in an output.

    ``pages``: PDF pages (or the single body of other formats). ``footers``, ``headers``: for
    paged formats, the footer and header text of every page (PDF) or section (DOCX); None where
    there are none.
    """

    pages: tuple[str, ...]
    footers: tuple[str, ...] | None = None
    meta: dict[str, str] = field(default_factory=dict)
    # DOCX: the field codes (PAGE, NUMPAGES, ...) in each entry of ``footers``, and where each
    # footer is shown ("section 1, first page"), for messages.
    footer_fields: tuple[frozenset[str], ...] | None = None
    footer_labels: tuple[str, ...] | None = None
    headers: tuple[str, ...] | None = None
    header_labels: tuple[str, ...] | None = None  # DOCX; a PDF's headers go by page, like its footers
    links: tuple[str, ...] = ()  # HTML: every href, in order
    # Formats that hold several complete documents (the .eml's text and HTML parts): each is
    # audited on its own, so a disclaimer in one part cannot stand in for the other.
    parts: tuple[tuple[str, Extracted], ...] = ()

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


def normalize(text: str, *, fold: bool = True) -> str:
    """Compare texts as a reader would: ignore line breaks, hyphenation at line ends,
    typographic quotes and dashes, spacing and (unless ``fold`` is off) letter case."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = text.replace("\x02", "")  # PDFium marks soft hyphens at line ends with U+0002
    text = re.sub(r"(\w)-[ \t]*\r?\n[ \t]*(\w)", r"\1\2", text)  # hyphenation at a line end
    text = re.sub(r"[*_`]", "", text)  # leftover Markdown emphasis marks
    text = re.sub(r"\s+", " ", text)
    return text.strip().casefold() if fold else text.strip()


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


def extract_html(data: bytes) -> Extracted:
    parser = _VisibleText()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return Extracted(pages=("".join(parser.parts),), meta=parser.meta, links=tuple(parser.links))


def extract_eml(data: bytes) -> Extracted:
    """A multipart/alternative message: the text part as is, the HTML part's visible text."""
    import email
    from email import policy

    msg = email.message_from_bytes(data, policy=policy.default)
    if msg.get_content_type() != "multipart/alternative":
        raise AuditError(f"expected a multipart/alternative message, got {msg.get_content_type()}")
    found: dict[str, Extracted] = {}
    for part in msg.iter_parts():
        content = part.get_content()
        if part.get_content_type() == "text/plain":
            found["text"] = Extracted(pages=(content,))
        elif part.get_content_type() == "text/html":
            found["HTML"] = extract_html(content.encode("utf-8"))
    for label in ("text", "HTML"):
        if label not in found:
            raise AuditError(f"the message has no {label} part")
    text, html = found["text"], found["HTML"]
    meta = {**html.meta, **{k.lower(): str(v) for k, v in msg.items()}}
    return Extracted(
        pages=(text.text, html.text), meta=meta, links=html.links, parts=(("text", text), ("HTML", html))
    )


# The handout's footer lives in the bottom 100 pt of each page and its running header in the
# top 54 pt (the top margin); its body text stays between (templates/handout.css keeps the
# margins larger): the audit reads these bands.
PDF_FOOTER_BAND = 100.0
PDF_HEADER_BAND = 54.0


def extract_pdf(data: bytes) -> Extracted:
    """Text of every PDF page read by PDFium; the footer is the bottom band of each page."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    pages: list[str] = []
    footers: list[str] = []
    headers: list[str] = []
    meta: dict[str, str] = {}
    try:
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            _w, h = page.get_size()
            footers.append(textpage.get_text_bounded(bottom=0, top=min(h, PDF_FOOTER_BAND)))
            headers.append(textpage.get_text_bounded(bottom=max(0, h - PDF_HEADER_BAND), top=h))
            textpage.close()
            page.close()
        meta = {k: str(v) for k, v in pdf.get_metadata_dict(skip_empty=True).items()}
    finally:
        pdf.close()
    return Extracted(pages=tuple(pages), footers=tuple(footers), headers=tuple(headers), meta=meta)


def _docx_paragraph_text(element: object) -> str:
    from docx.oxml.ns import qn

    parts: list[str] = []
    for node in element.iter():  # type: ignore[attr-defined]
        if node.tag == qn("w:t") and node.text:
            parts.append(node.text)
        elif node.tag in (qn("w:p"), qn("w:br"), qn("w:tab")):
            parts.append("\n" if node.tag != qn("w:tab") else " ")
    return "".join(parts)


def _docx_fields(element: object) -> frozenset[str]:
    """Field codes in a part: simple fields (w:fldSimple) and complex ones (w:instrText)."""
    from docx.oxml.ns import qn

    codes: list[str] = []
    instr = ""
    for node in element.iter():  # type: ignore[attr-defined]
        if node.tag == qn("w:fldSimple"):
            codes.append(node.get(qn("w:instr"), ""))
        elif node.tag == qn("w:instrText"):
            instr += node.text or ""
        elif node.tag == qn("w:fldChar") and node.get(qn("w:fldCharType")) == "separate":
            codes.append(instr)
            instr = ""
    return frozenset(c.split()[0].upper() for c in codes if c.split())


def _docx_parts(document: object, section: object, kind: str) -> list[tuple[str, object]]:
    """Every header or footer Word may show in a section: default, first page, even pages."""
    parts = [("", getattr(section, kind))]
    if section.different_first_page_header_footer:  # type: ignore[attr-defined]
        parts.append((", first page", getattr(section, f"first_page_{kind}")))
    if document.settings.odd_and_even_pages_header_footer:  # type: ignore[attr-defined]
        parts.append((", even pages", getattr(section, f"even_page_{kind}")))
    return parts


def extract_docx(data: bytes) -> Extracted:
    """Body, tables, every header and footer part of every section, read by python-docx."""
    import docx

    document = docx.Document(io.BytesIO(data))
    body = _docx_paragraph_text(document.element.body)
    footers: list[str] = []
    headers: list[str] = []
    fields: list[frozenset[str]] = []
    labels: list[str] = []
    header_labels: list[str] = []
    for number, section in enumerate(document.sections, 1):
        # A part "linked to previous" shows the previous section's; python-docx resolves that.
        for where, footer in _docx_parts(document, section, "footer"):
            footers.append(_docx_paragraph_text(footer._element))  # type: ignore[attr-defined]
            fields.append(_docx_fields(footer._element))  # type: ignore[attr-defined]
            labels.append(f"section {number}{where}")
        for where, header in _docx_parts(document, section, "header"):
            headers.append(_docx_paragraph_text(header._element))  # type: ignore[attr-defined]
            header_labels.append(f"section {number}{where}")
    cp = document.core_properties
    meta = {
        "title": cp.title or "",
        "subject": cp.subject or "",
        "author": cp.author or "",
        "language": cp.language or "",
        "keywords": cp.keywords or "",
    }
    return Extracted(
        pages=(body, *headers, *footers),
        footers=tuple(footers),
        meta=meta,
        footer_fields=tuple(fields),
        footer_labels=tuple(labels),
        headers=tuple(headers),
        header_labels=tuple(header_labels),
    )


EXTRACTORS: dict[str, Callable[[bytes], Extracted]] = {
    "text": extract_text,
    "html": extract_html,
    "pdf": extract_pdf,
    "docx": extract_docx,
    "eml": extract_eml,
}


@dataclass(frozen=True)
class ClinicFacts:
    """What an output must show of its own clinic, and must not show of any other."""

    own: tuple[tuple[str, str], ...]  # (what, text): ("name", "Eastside Clinic"), ("phone", ...)
    others: tuple[tuple[str, str, str], ...]  # (clinic id, what, text)


def clinic_facts(settings: Settings, brand_id: str) -> ClinicFacts:
    """The clinic's name, postal address and phone; another clinic's are foreign unless they are
    also part of this clinic's own details (two clinics in one building share an address)."""
    brands = settings.brands
    mine = brands[brand_id]
    own = tuple((what, getattr(mine, what)) for what in CLINIC_FIELDS if getattr(mine, what).strip())
    own_text = normalize(" | ".join(text for _w, text in own))
    others = tuple(
        (other.id, what, getattr(other, what))
        for other in brands.values()
        if other.id != brand_id
        for what in CLINIC_FIELDS
        if getattr(other, what).strip() and normalize(getattr(other, what)) not in own_text
    )
    return ClinicFacts(own, others)


CLINIC_FIELDS = ("name", "address", "phone")


def _audit_clinic(name: str, body: str, clinic: ClinicFacts) -> None:
    for what, text in clinic.own:
        if not contains(body, text):
            raise AuditError(f"the clinic's {what} '{text}' is missing", path=name)
    for other, what, text in clinic.others:
        if contains(body, text):
            raise AuditError(
                f"shows the {what} of another clinic ('{text}' of {other}): "
                "each clinic's outputs carry only its own details",
                path=name,
            )


# The smallest body text an edition may have, read back from the output.
MIN_BODY_PT = {"large-print": 18.0}


def check_edition(name: str, kind: str, data: bytes, edition: str) -> None:
    """A large-print output really has large body text: the size most of its characters have."""
    floor = MIN_BODY_PT.get(edition)
    if floor is None or kind not in BODY_SIZE_READERS:
        return
    size = BODY_SIZE_READERS[kind](data)
    if size + 0.05 < floor:
        raise AuditError(
            f"the {edition} edition needs body text of at least {floor:g} pt, found {size:g} pt",
            path=name,
        )


def _pdf_body_pt(data: bytes) -> float:
    """The size, in points, that most characters of the PDF are set in (the body text). PDFium
    reports a character's font size in text space; its matrix scales that to the page."""
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    counts: dict[float, int] = {}
    pdf = pdfium.PdfDocument(data)
    try:
        for page in pdf:
            textpage = page.get_textpage()
            matrix = raw.FS_MATRIX()
            for i in range(textpage.count_chars()):
                if not raw.FPDFText_GetMatrix(textpage.raw, i, ctypes.byref(matrix)):
                    continue
                scale = (matrix.c**2 + matrix.d**2) ** 0.5
                size = round(raw.FPDFText_GetFontSize(textpage.raw, i) * scale, 1)
                counts[size] = counts.get(size, 0) + 1
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return max(counts, key=lambda s: counts[s]) if counts else 0.0


def _docx_body_pt(data: bytes) -> float:
    """The size of Word's Normal style, which body paragraphs use (or 12 pt where unset)."""
    import docx

    size = docx.Document(io.BytesIO(data)).styles["Normal"].font.size
    return size.pt if size is not None else 12.0


BODY_SIZE_READERS: dict[str, Callable[[bytes], float]] = {"pdf": _pdf_body_pt, "docx": _docx_body_pt}


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
    running: Running | None = None,
    clinic: ClinicFacts | None = None,
) -> None:
    """Raise AuditError (naming the output) unless every requirement holds.

    ``marks`` are further texts the output must show, such as "Review overdue". ``running``: the
    clinic name and title the template puts in running headers and footers (paged formats)."""
    for label, part in extracted.parts:
        audit(f"{name} ({label} part)", part, requirements, review_line, marks, running, clinic)
    body = normalize(extracted.text)
    if clinic is not None:
        _audit_clinic(name, body, clinic)
    for mark in marks:
        if mark and not contains(body, mark):
            raise AuditError(f"'{mark}' mark missing: the article is past its review date", path=name)
    for req in requirements:
        if not contains(body, req.full):
            raise AuditError(f"disclaimer '{req.id}' missing (full text not found)", path=name)
    if not contains(body, review_line):
        raise AuditError(f"review line '{review_line}' missing", path=name)
    if extracted.footers is not None:
        if not extracted.footers:
            raise AuditError("no pages found", path=name)
        # Exactly what the template puts there: an article cannot add to a band, nor pose as one.
        check_bands(name, extracted, requirements, running or Running(), partial(normalize, fold=False))
    # DOCX: "Page X of Y" must be Word fields, so the numbers are right after anyone edits the text.
    for label, codes in zip(extracted.footer_labels or (), extracted.footer_fields or (), strict=True):
        missing = [f for f in ("PAGE", "NUMPAGES") if f not in codes]
        if missing:
            raise AuditError(f"the footer on {label} has no {' or '.join(missing)} field", path=name)
