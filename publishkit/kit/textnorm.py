"""Comparing texts as a reader would: line breaks, hyphenation, quotes, dashes and case ignored."""

from __future__ import annotations

import re
import unicodedata

from .eastasian import unspace

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
    typographic quotes and dashes, spacing and (unless ``fold`` is off) letter case.

    Spacing beside a Chinese or Japanese character is ignored: a plain-text line may break
    between two of them (see :func:`~.eastasian.unspace`)."""
    text = unicodedata.normalize("NFKC", unspace(text)).translate(_TRANSLATE)
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
