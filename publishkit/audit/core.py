"""Prove each output carries its disclaimers, in the text a reader (readers.py) found in it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

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
    # What one entry of ``footers`` and ``headers`` belongs to, as the reader found it: "page"
    # (a PDF: numbered "Page X of Y") or "section" (DOCX); "" where there are no bands.
    unit: str = ""

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


_ALEFS = "\u0622\u0623\u0625\u0627\u0649"
_LAM_BY_ALEF = re.compile(f"(?<=[{_ALEFS}])\u0644|\u0644(?=[{_ALEFS}])")


def normalize(text: str, *, fold: bool = True) -> str:
    """Compare texts as a reader would: ignore line breaks, hyphenation at line ends,
    typographic quotes and dashes, spacing and (unless ``fold`` is off) letter case."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = text.replace("\x02", "")  # PDFium marks soft hyphens at line ends with U+0002
    text = re.sub(r"(\w)-[ \t]*\r?\n[ \t]*(\w)", r"\1\2", text)  # hyphenation at a line end
    text = re.sub(r"[*_`]", "", text)  # leftover Markdown emphasis marks
    text = re.sub(r"\s+", " ", text)
    # PDFium reads an Arabic lam-alef ligature's two letters backwards in right-to-left text (the
    # PDF's ToUnicode has them right): compare without a lam beside an alef, on both sides.
    text = _LAM_BY_ALEF.sub("", text)
    return text.strip().casefold() if fold else text.strip()


def contains(haystack_normalized: str, needle: str) -> bool:
    n = normalize(needle)
    if n in haystack_normalized:
        return True
    # A word hyphenated at a line end reads "treat-ment" once spacing is gone; compare without hyphens too.
    return n.replace("-", "") in haystack_normalized.replace("-", "")


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


def check_edition(name: str, body_pt: Callable[[bytes], float] | None, data: bytes, edition: str) -> None:
    """A large-print output really has large body text: the size most of its characters have,
    as the output's reader measures it (``body_pt``; None where the reader cannot)."""
    floor = MIN_BODY_PT.get(edition)
    if floor is None or body_pt is None:
        return
    size = body_pt(data)
    if size + 0.05 < floor:
        raise AuditError(
            f"the {edition} edition needs body text of at least {floor:g} pt, found {size:g} pt",
            path=name,
        )


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
