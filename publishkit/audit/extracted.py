"""What a reader finds in an output, and what the audit requires of it: plain data."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    # What one entry of ``footers`` and ``headers`` belongs to, as the reader found it: "page"
    # (a PDF: numbered "Page X of Y") or "section" (DOCX); "" where there are no bands.
    unit: str = ""
    # The text comes from lines laid out on a page (a PDF read by PDFium), which gives a
    # right-to-left line's words in an order of its own (audit's ``rtl``; core.line_readings).
    laid_out: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


@dataclass(frozen=True)
class Requirement:
    id: str
    full: str  # full approved text, as plain text
    short: str
