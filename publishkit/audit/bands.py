"""Running headers and footers: each holds exactly what the template puts there, nothing else."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import AuditError

if TYPE_CHECKING:
    from .extracted import Extracted, Requirement

_SHOWN = 80  # characters of unexpected text quoted in a message


@dataclass(frozen=True)
class Running:
    """What the templates print in the running header and footer besides the short disclaimers."""

    clinic: str = ""
    title: str = ""
    draft: str = ""  # "DRAFT – not approved for patient use" on every page of a draft
    page_label: str = "Page {page} of {pages}"  # the output language's, from its catalog


def _docx_page_label(label: str, flat: Callable[[str], str]) -> re.Pattern[str]:
    """ "Page X of Y" in Word is two fields whose shown numbers Word recomputes: any numbers will do."""
    words = [_pattern(p, flat).pattern for p in re.split(r"\{pages?\}", label)]
    return re.compile(r"\s*\d+\s*".join(words), re.IGNORECASE)


def _page_piece(label: str, page: int, pages: int, flat: Callable[[str], str]) -> Piece:
    """The PDF's "Page X of Y" in the output's language. In a right-to-left label the reader
    returns the label's pieces (words, numbers) in the order they stand on the page, left to
    right: "1 من 2 صفحة" for "صفحة 1 من 2". Either order is the label; no other is."""
    text = label.format(page=page, pages=pages)
    pattern = _pattern(text, flat).pattern
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        pieces = [p.strip() for p in re.split(r"(\{pages?\})", label) if p.strip()]
        shown = " ".join(reversed([p.format(page=page, pages=pages) for p in pieces]))
        pattern = f"(?:{pattern}|{_pattern(shown, flat).pattern})"
    return Piece(f"'{text}'", re.compile(pattern, re.IGNORECASE))


@dataclass(frozen=True)
class Piece:
    """One thing a band must hold: how a message names it, and how to find it in the band's text."""

    what: str
    pattern: re.Pattern[str]


def _pattern(text: str, flat: Callable[[str], str]) -> re.Pattern[str]:
    """Match ``text`` however the reader spaced it: gaps may vanish between runs, and a hyphen
    at a line end may be gone (``flat`` joins "self-" + "harm" into "selfharm")."""
    parts = []
    for char in flat(text):
        if char == " ":
            parts.append(r"\s*")
        elif char == "-":
            parts.append(r"-?\s*")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE)


def _piece(what: str, text: str, flat: Callable[[str], str]) -> list[Piece]:
    return [Piece(what, _pattern(text, flat))] if flat(text) else []


def _quoted(text: str) -> str:
    return f"'{text}'" if len(text) <= _SHOWN else f"'{text[: _SHOWN - 1]}…'"


def check_band(
    name: str, band: str, label: str, text: str, pieces: Sequence[Piece], flat: Callable[[str], str]
) -> None:
    """Raise AuditError unless ``text`` is exactly ``pieces`` (in any order), spacing aside."""
    rest = flat(text)
    for piece in pieces:
        found = piece.pattern.search(rest)
        if found is None:
            raise AuditError(f"{piece.what} missing in the {band} on {label}", path=name)
        rest = rest[: found.start()] + " " + rest[found.end() :]
    left = " ".join(rest.split())
    if left:
        raise AuditError(f"unexpected text in the {band} on {label}: {_quoted(left)}", path=name)


def check_bands(
    name: str,
    extracted: Extracted,
    requirements: Sequence[Requirement],
    running: Running,
    flat: Callable[[str], str],
) -> None:
    """Every page's (PDF) or section's (DOCX) footer and header hold exactly what the template
    puts there: an article whose text reaches a band, or a template that adds to it, fails."""
    footers, headers = extracted.footers or (), extracted.headers
    by_page = extracted.unit != "section"  # a PDF's pages (also a hand-made Extracted); or Word's
    total = len(footers)
    labels = extracted.footer_labels or tuple(f"page {n}" for n in range(1, total + 1))
    shorts = [p for r in requirements for p in _piece(f"disclaimer '{r.id}'", r.short, flat)]
    clinic = _piece(f"clinic name {_quoted(running.clinic)}", running.clinic, flat)
    title = _piece(f"title {_quoted(running.title)}", running.title, flat)
    draft = _piece(f"draft mark {_quoted(running.draft)}", running.draft, flat)
    for number, (label, footer) in enumerate(zip(labels, footers, strict=True), 1):
        if by_page:
            expected = [*shorts, *clinic, _page_piece(running.page_label, number, total, flat)]
        else:
            label_x_y = running.page_label.format(page="X", pages="Y")
            expected = [*shorts, Piece(f"'{label_x_y}'", _docx_page_label(running.page_label, flat))]
        check_band(name, "footer", label, footer, expected, flat)
    # The PDF's header shows the title from page 2 (page 1 has the letterhead below the band);
    # Word's header reads "<clinic> · <title>" on every page.
    if headers is None:
        return
    header_labels = labels if by_page else (extracted.header_labels or ())
    for number, (label, header) in enumerate(zip(header_labels, headers, strict=True), 1):
        if by_page:
            expected = [*draft, *(title if number > 1 else [])]
        else:
            expected = [*draft, *clinic, *(_piece("the separator '·'", "·", flat) if clinic else []), *title]
        check_band(name, "header", label, header, expected, flat)
