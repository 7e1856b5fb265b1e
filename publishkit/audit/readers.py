"""Readers: read an output back, independently of its renderer, by reading kind (registered)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import AuditError
from ..kit.htmltext import visible_html
from .extracted import Extracted
from .glyphs import check_glyphs


@dataclass(frozen=True)
class Reader:
    """One reading kind: how to get an output's text back. The Extracted it returns says what
    carries the running bands (``unit``: a PDF's pages, a Word file's sections)."""

    kind: str
    extract: Callable[[bytes], Extracted]
    body_pt: Callable[[bytes], float] | None = None  # the body text's size, for editions
    gate: Callable[[str, bytes], None] | None = None  # a further check of the bytes (the glyph gate)

    def read(self, data: bytes) -> Extracted:
        return self.extract(data)


READERS: dict[str, Reader] = {}


def register_reader(reader: Reader) -> Reader:
    if reader.kind in READERS:
        raise ValueError(f"reader '{reader.kind}' is registered twice")
    READERS[reader.kind] = reader
    return reader


def extract_text(data: bytes) -> Extracted:
    return Extracted(pages=(data.decode("utf-8"),))


def extract_html(data: bytes) -> Extracted:
    page = visible_html(data.decode("utf-8"))
    return Extracted(pages=(page.text,), meta=page.meta, links=page.links)


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
    return Extracted(
        pages=tuple(pages),
        footers=tuple(footers),
        headers=tuple(headers),
        meta=meta,
        unit="page",
        laid_out=True,
    )


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
        unit="section",
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


for _reader in (
    Reader("whole", extract_text),
    Reader("html", extract_html),
    Reader("parts", extract_eml),
    Reader("pages", extract_pdf, _pdf_body_pt, check_glyphs),
    Reader("sections", extract_docx, _docx_body_pt),
):
    register_reader(_reader)
