"""Numbers that must survive translation: every number in digits, section by section.

A number is read with the conventions of its text's language (``12,5`` is 12.5 in Spanish) and,
in a translation, with English's too (Spanish in the US often writes ``12.5``). Numbers written
as words are not compared. Link targets, list markers and footnote labels are not numbers of
the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .langtag import lookup

# Digits (any script: Arabic-Indic too) joined by separators a number may contain.
_NUMBER = re.compile(r"\d+(?:[.,:\u00a0\u202f\u066b\u066c]\d+)*")
_NOT_TEXT = re.compile(
    r"\]\([^)]*\)"  # a link or image target
    r"|<[a-z][a-z0-9+.-]*:[^>\s]*>"  # an autolink
    r"|https?://\S+"  # a bare address
    r"|\[\^[^\]]*\]"  # a footnote label
    r"|^[ \t>]*\d{1,9}[.)](?=[ \t])",  # an ordered list marker
    re.MULTILINE | re.IGNORECASE,
)
_DECIMAL_COMMA = {
    "es", "fr", "de", "it", "pt", "ru", "uk", "pl", "nl", "vi", "tr", "ro", "cs", "sv",
    "da", "fi", "nb", "no", "el", "hu", "id", "fa", "so", "ht",
}  # fmt: skip
# (grouping marks, decimal mark): English's, and the decimal-comma languages'.
_POINT = (",", ".")
_COMMA = (".\u00a0\u202f", ",")
_ARABIC = ("\u066c", "\u066b")


@dataclass(frozen=True)
class Number:
    raw: str
    line: int  # file line
    values: frozenset[Decimal | str]  # what it can mean under the conventions allowed


def conventions(language: str, translation: bool) -> list[tuple[str, str]]:
    own = _COMMA if any(t in _DECIMAL_COMMA for t in lookup(language)) else _POINT
    allowed = [own, _ARABIC]
    if translation and own is not _POINT:
        allowed.append(_POINT)
    return allowed


def _value(raw: str, group: str, decimal: str) -> Decimal | None:
    """``raw`` read with these marks, or None when it breaks them (a group not of 3 digits)."""
    if any(not c.isdigit() and c not in group + decimal for c in raw):
        return None
    parts = re.split(f"([{re.escape(group + decimal)}])", raw)
    digits, seen_decimal = parts[0], False
    for sep, chunk in zip(parts[1::2], parts[2::2], strict=True):
        if sep == decimal and not seen_decimal:
            digits, seen_decimal = digits + "." + chunk, True
        elif sep in group and not seen_decimal and len(chunk) == 3:
            digits += chunk
        else:
            return None
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def numbers(text: str, first_line: int, language: str, translation: bool) -> list[Number]:
    """Every number written in digits in ``text`` (which starts at file line ``first_line``)."""
    plain = _NOT_TEXT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    marks = conventions(language, translation)
    out = []
    for m in _NUMBER.finditer(plain):
        raw = m.group()
        values: set[Decimal | str] = {v for g, d in marks if (v := _value(raw, g, d)) is not None}
        if not values:  # a time (9:30), a version (1.2.3): compared as written, in ASCII digits
            values = {"".join(str(int(c)) if c.isdigit() else c for c in raw)}
        out.append(Number(raw, first_line + text.count("\n", 0, m.start()), frozenset(values)))
    return out


@dataclass(frozen=True)
class Mismatch:
    source: Number | None  # None: a number only the translation has
    translation: Number | None  # None: missing from the translation


def compare(source: list[Number], translation: list[Number]) -> list[Mismatch]:
    """Each source number matched to one translation number with the same value, in order; what
    is left is paired up in order (a different number), then reported alone (missing or extra)."""
    left = list(translation)
    missing = []
    for num in source:
        hit = next((t for t in left if num.values & t.values), None)
        if hit is None:
            missing.append(num)
        else:
            left.remove(hit)
    pairs = [Mismatch(s, t) for s, t in zip(missing, left, strict=False)]
    n = len(pairs)
    return pairs + [Mismatch(s, None) for s in missing[n:]] + [Mismatch(None, t) for t in left[n:]]
