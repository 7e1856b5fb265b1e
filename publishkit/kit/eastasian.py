"""East Asian text: which characters take two columns and where Chinese and Japanese lines may break."""

from __future__ import annotations

import re
import unicodedata

_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# A run of white space beside a character outside ASCII: only such a run can touch a Chinese or
# Japanese one (most runs of an English text are between ASCII letters: not looked at).
_SPACES = re.compile(r"(?<=[^\x00-\x7f\s])\s+|\s+(?=[^\x00-\x7f\s])")


def wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def breaks_beside(ch: str) -> bool:
    """A line may break before or after ``ch``: Chinese and Japanese characters; not Korean,
    which puts spaces between its words and breaks only there."""
    return wide(ch) and not _HANGUL.match(ch)


def has_breakable(text: str) -> bool:
    """``text`` holds a Chinese or Japanese character (most text has none: a quick answer first;
    then each distinct character once: the audit asks this of every output's whole text)."""
    return not text.isascii() and any(breaks_beside(c) for c in set(text))


def columns(text: str) -> int:
    """How many columns ``text`` takes: East Asian wide characters two, any other one (an LRM
    too: a reader without bidi support may show it, and a line stays within 72 characters)."""
    return sum(2 if wide(c) else 1 for c in text)


def unspace(text: str) -> str:
    """``text`` without the white space beside a Chinese or Japanese character: a line break
    between two such characters reads as nothing (they have no spaces between words), and one
    next to a number or a Latin word may stand where the source had a space or not. White space
    at the very end stays. Only the runs of white space beside a character outside ASCII are
    looked at: every handout carries Chinese and Japanese taglines, so the audit asks this of
    whole outputs."""
    if not has_breakable(text):
        return text

    def kept(run: re.Match[str]) -> str:
        start, end = run.span()
        if end == len(text):
            return run.group(0)
        if breaks_beside(text[end]) or (start > 0 and breaks_beside(text[start - 1])):
            return ""
        return run.group(0)

    return _SPACES.sub(kept, text)
