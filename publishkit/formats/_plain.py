"""Plain-text line breaking: 72 columns, no line that reads as a list item, contact details kept whole."""

from __future__ import annotations

import re
import textwrap
import unicodedata

from ..kit.doctree import AST
from ..model.settings import Brand
from ..model.taglines import Tagline

WIDTH = 72
# What holds two words together while wrapping: a private-use character pandoc counts as one
# column, never breaks at, and that no article uses; every one becomes a space in the result.
# (A no-break space written by the author, or before a link's "[n]", stays a no-break space.)
BIND = "\ue000"
# Words that read as a list item or heading mark when a line starts with them ("– some people ...").
_MARKER_RE = re.compile(r"^(?:[-–—*+•·#>]|\d{1,3}[.)])$")
# Only ASCII white space separates words here: a no-break space joins two words into one.
_SPACE_RE = re.compile(r"[ \t\n\r\f\v]+")


def is_marker(word: str) -> bool:
    """True when ``word`` at the start of a line would look like a bullet or a list number."""
    return bool(_MARKER_RE.match(word))


def bind_markers(words: list[str]) -> list[str]:
    """Join each marker-like word to the word before it, so wrapping cannot start a line with it."""
    out: list[str] = []
    for word in words:
        if out and is_marker(word):
            out[-1] = f"{out[-1]}{BIND}{word}"
        else:
            out.append(word)
    return out


def wrap_lines(text: str, width: int = WIDTH, indent: str = "", hang: str = "") -> list[str]:
    """Greedy wrap; a word longer than the line (a URL) goes on a line of its own, whole.

    BIND holds words together while wrapping and is a plain space in the result.
    """
    words = bind_markers([w for w in _SPACE_RE.split(text) if w])
    wrapper = textwrap.TextWrapper(
        width,
        initial_indent=indent,
        subsequent_indent=hang,
        break_on_hyphens=False,
        break_long_words=False,
    )
    return [unbind(line) for line in wrapper.wrap(" ".join(words))]


def wrap(text: str, width: int = WIDTH) -> str:
    return "\n".join(wrap_lines(text, width))


def _glue(text: str, pattern: str) -> str:
    return re.sub(pattern, lambda m: m.group(0).replace(" ", BIND), text)


def brand_line(brand: Brand) -> str:
    """The clinic's name, address, phone and website on one line, with no-break spaces where a
    break would split a part: "OR 97201", "Suite 4", "1200 Harbor", the whole phone number, and
    the "·" separator, which stays at the end of a line rather than starting the next one."""
    address = _glue(brand.address, r"\S*\d\S* \S+|\S+ \S*\d\S*")
    phone = brand.phone.replace(" ", BIND)
    parts = [x for x in (brand.name, address, phone, brand.website) if x]
    return f"{BIND}· ".join(parts)


def bind_ast_markers(ast: AST) -> AST:
    """In every run of inlines, a space before a marker-like word becomes a no-break space.

    pandoc's plain writer never breaks inside a Str, so "Irritability – some" can no longer wrap
    into a line that starts with "–". :func:`unbind` turns BIND back into a space.
    """

    def fix(items: list[object]) -> list[object] | None:
        out: list[object] | None = None
        for i, item in enumerate(items):
            nxt = items[i + 1] if i + 1 < len(items) else None
            if (
                isinstance(item, dict)
                and item.get("t") in ("Space", "SoftBreak")
                and isinstance(nxt, dict)
                and nxt.get("t") == "Str"
                and is_marker(_first_word(nxt["c"]))
            ):
                if out is None:
                    out = list(items[:i])
                out.append({"t": "Str", "c": BIND})
            elif out is not None:
                out.append(item)
        return out

    def walk(value: object) -> object:
        if isinstance(value, list):
            fixed = fix(value)
            value = fixed if fixed is not None else value
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    result: AST = walk(ast)  # type: ignore[assignment]
    return result


def _first_word(text: str) -> str:
    return _SPACE_RE.split(text, maxsplit=1)[0]


def unbind(text: str) -> str:
    """Plain output with BIND back to ordinary spaces."""
    return text.replace(BIND, " ")


# Marks that keep a phone number left to right inside a right-to-left line (a plain-text reader
# applies the Unicode bidi algorithm: without them "(503) 555-0142" in Arabic reads "555-0142 (503)").
LRM = "\u200e"
# Closing punctuation never starts a line (kinsoku): it stays with the character before it.
_NO_START = frozenset("、。，．：；！？）」』】〕〉》…ー,.:;!?)")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def _breaks_beside(ch: str) -> bool:
    """A line may break before or after ``ch``: Chinese and Japanese characters; not Korean,
    which puts spaces between its words and breaks only there."""
    return _wide(ch) and not _HANGUL.match(ch)


def columns(text: str) -> int:
    """How many columns ``text`` takes: East Asian wide characters two, any other one (an LRM
    too: a reader without bidi support may show it, and a line stays within 72 characters)."""
    return sum(2 if _wide(c) else 1 for c in text)


def _tokens(text: str) -> list[tuple[bool, str]]:
    """(space before, piece) for every place a line may break: at spaces, and beside any East
    Asian wide character (Chinese and Japanese have no spaces between words)."""
    out: list[tuple[bool, str]] = []
    for word in _SPACE_RE.split(text.strip()):
        first, piece = True, ""
        for ch in word:
            if piece and (_breaks_beside(ch) or _breaks_beside(piece[-1])) and ch not in _NO_START:
                out.append((first, piece))
                first, piece = False, ch
            else:
                piece += ch
        if piece:
            out.append((first, piece))
    return out


def wrap_wide(text: str, width: int = WIDTH) -> list[str]:
    """Greedy wrap that counts columns (see :func:`columns`) and may break between wide characters."""
    lines: list[str] = []
    line, col = "", 0
    for spaced, piece in _tokens(text):
        gap = 1 if spaced and line else 0
        if line and col + gap + columns(piece) > width:
            lines.append(line)
            line, col = piece, columns(piece)
        else:
            line, col = line + " " * gap + piece, col + gap + columns(piece)
    if line:
        lines.append(line)
    return [unbind(x) for x in lines]


def tagline_text(tagline: Tagline, phone: str) -> str:
    """One tagline as a plain-text paragraph: its language's name, then the sentence with the
    clinic's phone, kept whole. In a right-to-left line the phone sits between LRM marks so it
    reads left to right; a left-to-right line gets none (an invisible character that would travel
    into anything the text is pasted into)."""
    before, number, after = tagline.parts(phone)
    number = number.replace(" ", BIND)
    if number and tagline.dir == "rtl":
        number = f"{LRM}{number}{LRM}"
    return "\n".join(wrap_wide(f"{tagline.name} — {before}{number}{after}"))
