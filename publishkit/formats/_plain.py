"""Plain-text line breaking: 72 columns, no line that reads as a list item, contact details kept whole."""

from __future__ import annotations

import re
import textwrap

from ..kit.doctree import AST
from ..kit.eastasian import breaks_beside, columns, has_breakable
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

    BIND holds words together while wrapping and is a plain space in the result. Chinese and
    Japanese text is wrapped by :func:`wrap_wide`, by columns and between characters.
    """
    if has_breakable(text):
        return wrap_wide(text, width, indent, hang)
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


def _glued(piece: str, ch: str) -> bool:
    """No break between ``piece`` and ``ch``: closing punctuation stays with what it closes, and
    BIND holds its neighbours (a marker-like word to the word before it, a phone number whole)."""
    return ch in _NO_START or BIND in (ch, piece[-1])


def _tokens(text: str) -> list[tuple[bool, str]]:
    """(space before, piece) for every place a line may break: at spaces, and beside any Chinese
    or Japanese character (they have no spaces between words)."""
    out: list[tuple[bool, str]] = []
    for word in _SPACE_RE.split(text.strip()):
        first, piece = True, ""
        for ch in word:
            if piece and (breaks_beside(ch) or breaks_beside(piece[-1])) and not _glued(piece, ch):
                out.append((first, piece))
                first, piece = False, ch
            else:
                piece += ch
        if piece:
            out.append((first, piece))
    # A marker-like piece ("–", "1.") is held to the one before it: no line may start with it.
    held: list[tuple[bool, str]] = []
    for spaced, piece in out:
        if held and is_marker(piece):
            held[-1] = (held[-1][0], held[-1][1] + (BIND if spaced else "") + piece)
        else:
            held.append((spaced, piece))
    return held


def longest_piece(text: str) -> int:
    """The columns of the widest piece of ``text`` that :func:`wrap_lines` never breaks."""
    if has_breakable(text):
        return max((columns(p) for _s, p in _tokens(text)), default=0)
    return max((len(w) for w in bind_markers(text.split(" "))), default=0)


def wrap_wide(text: str, width: int = WIDTH, indent: str = "", hang: str = "") -> list[str]:
    """Greedy wrap that counts columns (see :func:`columns`) and may break beside Chinese and
    Japanese characters; ``indent`` starts the first line, ``hang`` every other one."""
    lines: list[str] = []
    line, col, empty = indent, columns(indent), True
    for spaced, piece in _tokens(text):
        gap = 1 if spaced and not empty else 0
        if not empty and col + gap + columns(piece) > width:
            lines.append(line)
            line, col = hang + piece, columns(hang + piece)
        else:
            line, col = line + " " * gap + piece, col + gap + columns(piece)
        empty = False
    if not empty:
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
