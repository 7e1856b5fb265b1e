"""The glyph gate: every character a PDF draws has a real glyph in the font it is drawn from.

The text layer cannot tell: WeasyPrint maps a character no font has to the code point it stands
for, so the text reads fine while the page shows an empty box. The gate reads the PDF's fonts
instead: each code a text operator shows must be a glyph of the embedded font, with an outline
unless the character is a space. The characters it finds missing are named (from the font's
ToUnicode map) with the Debian package whose Noto fonts cover them (fontpackages.ranges).
"""

from __future__ import annotations

import bisect
import hashlib
import io
import re
import sys
from array import array
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import AuditError
from .outlines import Outlines

_SHOW = {"Tj", "TJ", "'", '"'}
# Only these reach Python from pikepdf's parser (a fifth of a handout's instructions): the font
# switch, the text-showing operators and Form XObjects, which may show text too.
_TEXT_OPERATORS = " ".join(["Tf", *sorted(_SHOW), "Do"])
SHOWN_AT_MOST = 10  # characters named per package in the message
NONE_COVERS = ""


@cache
def _coverage() -> list[tuple[str, list[int], list[int]]]:
    """(package, range starts, range ends) for each package in fontpackages.ranges."""
    found = []
    for line in (Path(__file__).parent / "fontpackages.ranges").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        package, _colon, spans = line.partition(": ")
        starts, ends = [], []
        for span in spans.split(","):
            first, _dash, last = span.partition("-")
            starts.append(int(first, 16))
            ends.append(int(last or first, 16))
        found.append((package, starts, ends))
    return found


def font_package(char: str) -> str:
    """The Debian package whose Noto fonts draw ``char``, or "" when none of them does."""
    code = ord(char)
    for package, starts, ends in _coverage():
        i = bisect.bisect_right(starts, code) - 1
        if i >= 0 and code <= ends[i]:
            return package
    return NONE_COVERS


def _to_unicode(font: Any) -> dict[int, str]:
    """The font's ToUnicode map: code -> text (bfchar and bfrange entries)."""
    if "/ToUnicode" not in font:
        return {}
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    found: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            found[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, start in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            first = int(start, 16)
            for n, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                found[code] = chr(first + n) if first + n < 0x110000 else "\ufffd"
    return found


def _shown(stream: Any, resources: Any) -> Iterator[tuple[Any, bytes]]:
    """(font, shown bytes) for every text-showing operator, Form XObjects included. The bytes are
    the operator's strings joined, each cut to whole two-byte codes (what a Type0 font shows)."""
    import pikepdf

    font = None
    for instruction in pikepdf.parse_content_stream(stream, _TEXT_OPERATORS):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            continue
        operands, op = instruction.operands, str(instruction.operator)
        if op == "Tf":
            font = resources.Font[operands[0]]
        elif op in _SHOW and font is not None:
            strings = [
                bytes(item)
                for item in (operands if op != "TJ" else operands[0])
                if isinstance(item, pikepdf.String)
            ]
            yield font, b"".join(s[: len(s) & ~1] for s in strings)
        elif op == "Do" and "/XObject" in resources:
            xobject = resources.XObject[operands[0]]
            if xobject.get("/Subtype") == "/Form":
                yield from _shown(xobject, xobject.get("/Resources", resources))


# A font's glyphs, kept per process by the hash of what they are read from: the same subset
# recurs across handouts (headings, footers, a clinic's editions), and fontTools' reading of it
# was most of the gate's time. (The ToUnicode map is cheap and is read for every document.)
_FONTS: dict[bytes, Outlines] = {}
FONTS_KEPT = 256


def _font_key(font: Any) -> bytes:
    """A digest of everything Outlines reads from a Type0 font: its streams as stored, with their
    filters (the same stored bytes decode to the same font; no need to inflate them here)."""
    digest = hashlib.sha256()
    descendant = font.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    cid_to_gid = descendant.get("/CIDToGIDMap")
    parts: list[Any] = [
        cid_to_gid if cid_to_gid is None or cid_to_gid == "/Identity" else _stored(cid_to_gid)
    ]
    for name in ("/FontFile2", "/FontFile3"):
        stream = descriptor.get(name)
        parts += [name, None if stream is None else (str(stream.get("/Subtype")), _stored(stream))]
    for part in parts:
        data = part if isinstance(part, bytes) else repr(part).encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.digest()


def _stored(stream: Any) -> bytes:
    """A stream's bytes as stored in the file, with what decodes them."""
    decode = repr((stream.get("/Filter"), stream.get("/DecodeParms"))).encode()
    raw: bytes = stream.read_raw_bytes()
    return len(decode).to_bytes(8, "big") + decode + raw


def _known_font(font: Any) -> tuple[Outlines, dict[int, str]]:
    key = _font_key(font)
    glyphs = _FONTS.get(key)
    if glyphs is None:
        glyphs = Outlines()
        if len(_FONTS) >= FONTS_KEPT:
            del _FONTS[next(iter(_FONTS))]  # the oldest
        _FONTS[key] = glyphs
    return glyphs, _unicode_of(font)


# ToUnicode maps, kept per process by their stored bytes: the same subset's map recurs too.
_MAPS: dict[bytes, dict[int, str]] = {}


def _unicode_of(font: Any) -> dict[int, str]:
    """``_to_unicode(font)``, parsed once for the same stored map (never changed by its users)."""
    if "/ToUnicode" not in font:
        return {}
    key = hashlib.sha256(_stored(font.ToUnicode)).digest()
    found = _MAPS.get(key)
    if found is None:
        if len(_MAPS) >= FONTS_KEPT:
            del _MAPS[next(iter(_MAPS))]  # the oldest
        found = _MAPS[key] = _to_unicode(font)
    return found


def _codes(shown: bytes) -> Iterator[int]:
    """The distinct two-byte codes of ``shown``, in order of first appearance."""
    codes = array("H", shown)
    if sys.byteorder == "little":
        codes.byteswap()  # PDF codes are big-endian
    return iter(dict.fromkeys(codes))


def missing_glyphs(data: bytes) -> list[str]:
    """The characters, in order of first appearance, that the PDF draws without a glyph."""
    import pikepdf

    missing: dict[str, None] = {}
    fonts: dict[tuple[int, int], tuple[Outlines, dict[int, str], set[int]] | None] = {}
    with pikepdf.open(io.BytesIO(data)) as pdf:
        try:
            for page in pdf.pages:
                for font, shown in _shown(page.obj, page.Resources):
                    key = font.objgen
                    if key not in fonts:
                        # WeasyPrint writes only Type0 fonts; a simple font is not ours
                        fonts[key] = (*_known_font(font), set()) if font.get("/Subtype") == "/Type0" else None
                    known = fonts[key]
                    if known is None:
                        continue
                    glyphs, text, seen = known
                    for code in _codes(shown):
                        if code in seen:
                            continue
                        seen.add(code)
                        chars = text.get(code, "\ufffd")
                        if not glyphs.drawn(code, chars, font):  # a space drawn as .notdef shows a box too
                            missing.update(dict.fromkeys(chars))
        finally:
            for known in fonts.values():
                if known is not None:
                    known[0].release()  # the answers are kept, not the fonts read for them
    return list(missing)


def _named(chars: list[str]) -> str:
    shown = ", ".join(f"'{c}' U+{ord(c):04X}" for c in chars[:SHOWN_AT_MOST])
    more = len(chars) - SHOWN_AT_MOST
    return shown + (f" and {more} more" if more > 0 else "")


def glyph_message(chars: list[str]) -> str:
    """What to say about characters no font drew: grouped by the package that covers them."""
    groups: dict[str, list[str]] = {}
    for char in chars:
        groups.setdefault(font_package(char), []).append(char)
    advice = []
    for package, group in sorted(groups.items(), key=lambda kv: (kv[0] == NONE_COVERS, kv[0])):
        if package:
            advice.append(f"{_named(group)}: install the Debian package {package}")
        else:
            advice.append(
                f"{_named(group)}: no Noto font in Debian's fonts-noto-core or fonts-noto-cjk has them; "
                "add a font that does to templates/fonts/ and templates/handout.css"
            )
    advice_text = "; ".join(advice)
    return f"no font in the handout has a glyph for {advice_text} (they would print as empty boxes)"


def check_glyphs(name: str, data: bytes) -> None:
    """Refuse a PDF that draws any character without a glyph for it."""
    chars = missing_glyphs(data)
    if chars:
        raise AuditError(glyph_message(chars), path=name)
