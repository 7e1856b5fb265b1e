"""Prove each output carries its disclaimers, in the text a reader (readers.py) found in it."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import groupby

from ..errors import AuditError
from ..kit.textnorm import contains, normalize
from ..model.settings import Settings
from ..model.taglines import Tagline
from .bands import Running, check_bands
from .extracted import Extracted, Requirement

__all__ = ["Extracted", "Requirement", "audit", "contains", "normalize", "tagline_readings"]


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


# Spaces (a line may break anywhere in Chinese or Japanese) and the invisible marks that hold a
# phone number left to right or join Persian letters are left out of the comparison.
_UNSPACED = re.compile(r"[\s\u200b-\u200f\u2066-\u2069]+")


def tagline_readings(tagline: Tagline, phone: str) -> tuple[tuple[str, ...], ...]:
    """How a tagline may read back, its phone filled in: alternatives, each a set of pieces that
    must all be found. Inside a right-to-left line the phone number is drawn left to right, and a
    PDF's text layer gives such a line in an order of its own (the number's groups reversed, the
    closing words before it, the number on a line of its own): for right-to-left languages the
    words before the number, the number and the words after it are each required instead."""
    before, number, after = tagline.parts(phone)
    readings: list[tuple[str, ...]] = [(f"{before}{number}{after}",)]
    if tagline.dir == "rtl":
        for shown in {number, " ".join(reversed(number.split()))}:
            readings.append(tuple(x for x in (before, shown, after) if x.strip()))
    return tuple(readings)


_WORD = re.compile(r"\w+")
# Marks that join or hold letters without showing: a Persian word with a ZWNJ is one word.
_INVISIBLE = re.compile(r"[\u061c\u200b-\u200f\u2066-\u2069]")


def _rtl(word: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in word)


def line_readings(line: str) -> tuple[tuple[str, ...], ...]:
    """The orders in which a PDF's text layer may give a line's words (its letters and digits;
    punctuation and invisible marks left out), normalized. A line without right-to-left letters
    has one. PDFium reads a right-to-left line by its own rules, not the Unicode ones: a comma or
    full stop after a number comes before it (``،2026``), so only the words are compared; the
    words of a left-to-right run inside it (a Latin name) come in reverse order; and a line with
    more left-to-right words than PDFium counts right-to-left ones comes as it stands on the page.
    """
    words = tuple(_WORD.findall(_INVISIBLE.sub("", normalize(line))))
    if not any(_rtl(w) for w in words):
        return (words,)
    # Right-to-left words stay in reading order; each left-to-right run's words are reversed.
    runs = [list(group) if rtl else list(group)[::-1] for rtl, group in groupby(words, key=_rtl)]
    mixed = tuple(w for run in runs for w in run)
    return words, mixed, mixed[::-1]


def contains_line(haystack_normalized: str, line: str) -> bool:
    """``line`` is in the text as it is, or in one of its readings (line_readings), its words side
    by side."""
    if contains(haystack_normalized, line):
        return True
    flat = f" {' '.join(_WORD.findall(_INVISIBLE.sub('', haystack_normalized)))} "
    return any(f" {' '.join(words)} " in flat for words in line_readings(line) if words)


def check_taglines(name: str, body: str, taglines: Sequence[tuple[str, tuple[tuple[str, ...], ...]]]) -> None:
    """Every language-access tagline the clinic shows (lang, readings) is in the output."""
    flat = _UNSPACED.sub("", body)
    for lang, readings in taglines:
        if not any(all(_UNSPACED.sub("", normalize(x)) in flat for x in pieces) for pieces in readings):
            raise AuditError(
                f"language-access tagline '{lang}' missing (its text with the clinic's phone was not "
                "found; every output of a clinic with taglines must print them)",
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


def audit(
    name: str,
    extracted: Extracted,
    requirements: Sequence[Requirement],
    review_line: str,
    marks: Sequence[str] = (),
    running: Running | None = None,
    clinic: ClinicFacts | None = None,
    taglines: Sequence[tuple[str, tuple[tuple[str, ...], ...]]] = (),
    rtl: bool = False,
) -> None:
    """Raise AuditError (naming the output) unless every requirement holds.

    ``marks`` are further texts the output must show, such as "Review overdue". ``running``: the
    clinic name and title the template puts in running headers and footers (paged formats).
    ``rtl``: the output is laid out right to left; a PDF's disclaimers and review line are then
    matched by their words in PDFium's orders (line_readings)."""
    for label, part in extracted.parts:
        part_name = f"{name} ({label} part)"
        audit(part_name, part, requirements, review_line, marks, running, clinic, taglines, rtl)
    body = normalize(extracted.text)
    found = partial(contains_line, body) if rtl and extracted.laid_out else partial(contains, body)
    if clinic is not None:
        _audit_clinic(name, body, clinic)
    for mark in marks:
        if mark and not contains(body, mark):
            raise AuditError(f"'{mark}' mark missing: the article is past its review date", path=name)
    for req in requirements:
        if not found(req.full):
            raise AuditError(f"disclaimer '{req.id}' missing (full text not found)", path=name)
    if not found(review_line):
        raise AuditError(f"review line '{review_line}' missing", path=name)
    check_taglines(name, body, taglines)
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
