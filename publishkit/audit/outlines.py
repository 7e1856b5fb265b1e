"""Which glyphs of a font a PDF embeds exist, and which have an outline: what the glyph gate
(glyphs.py) asks of each embedded font.

A glyph has an outline when drawing it puts down a point: a TrueType glyph with contours (a
composite counts), a CFF glyph whose charstring moves or draws. The answers are fontTools' own,
read the short way (tested against drawing every glyph whole, on every font the project ships
and the system's Noto fonts):
- only the glyphs the PDF shows are read: a subset keeps every glyph id of its font (retained
  ids), most of them empty, so a shown one is found by its id, not by reading all of them;
- a TrueType glyph's contour count is the first field of its data, found through the 'loca'
  table by its id: the glyph is not decompiled point by point, and the font's glyph names
  (its 'post' table) are not read;
- a CFF glyph is drawn until its first point, not to its end (most of a Chinese character's
  strokes are never run).

A process's first handout embeds about 12 subsets never seen before; reading them whole took
most of the gate's first call.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

SPACES = ("Zs", "Zl", "Zp", "Cc", "Cf")  # drawn as nothing: an empty glyph is right for them
GLYPH_HEADER = 10  # bytes: numberOfContours, then the bounding box (the 'glyf' table)


class Outlines:
    """What the gate has asked of one embedded (Type0) font: for each code shown, whether its
    glyph exists and has an outline. Only the codes asked about are read (a subset keeps every
    glyph id of its font, most of them empty): the font is read at the first question, and let go
    by ``release`` (the answers stay, for the same font in the next handout)."""

    def __init__(self) -> None:
        self._answers: dict[int, bool | None] = {}  # code -> None (no glyph) or has an outline
        self._font: FontGlyphs | None = None

    def drawn(self, code: int, text: str, font: Any) -> bool:
        """Whether ``code``, shown for ``text``, draws a glyph: one with an outline, or an empty
        one for a space. ``font``: the embedded font these answers are for, read if need be."""
        if code not in self._answers:
            if self._font is None:
                self._font = FontGlyphs(font)
            self._answers[code] = self._font.outlined(code)
        outlined = self._answers[code]
        if outlined is None:
            return False
        return outlined or all(unicodedata.category(c) in SPACES for c in text)

    def release(self) -> None:
        """Let go of the font read for the answers (they stay)."""
        self._font = None


class FontGlyphs:
    """One embedded (Type0) font read with fontTools: its glyphs by code, and how to tell whether
    one has an outline."""

    def __init__(self, font: Any) -> None:
        descendant = font.DescendantFonts[0]
        descriptor = descendant.FontDescriptor
        self.gid_map: bytes | None = None
        cid_to_gid = descendant.get("/CIDToGIDMap")
        if cid_to_gid is not None and cid_to_gid != "/Identity":
            self.gid_map = cid_to_gid.read_bytes()
        # glyph id (a CID in a bare CID-keyed CFF) -> what ``_draws`` takes: names, or the id itself
        self._names: dict[int, list[Any]] = {}
        self._draws: Callable[[Any], bool] = lambda name: False
        if "/FontFile2" in descriptor:
            self._truetype(descriptor.FontFile2.read_bytes())
        elif "/FontFile3" in descriptor:
            self._cff(descriptor.FontFile3)
        # A font that is not embedded has no glyph the gate can see: every code counts as missing.

    def _truetype(self, data: bytes) -> None:
        from fontTools.ttLib import TTFont

        self._sfnt(TTFont(io.BytesIO(data)))

    def _sfnt(self, font: Any) -> None:
        """A TrueType or OpenType (CFF) font file: codes are glyph ids (CIDToGIDMap aside)."""
        if "glyf" in font and "loca" in font:  # by glyph id, from the tables as stored: no names
            loca, data = font["loca"], font.reader["glyf"]

            def draws(gid: Any) -> bool:
                count = stored_contours(loca, data, gid)
                if count is None:  # too short to say: as fontTools decompiles it
                    count = int(font["glyf"][font.getGlyphName(gid)].numberOfContours)
                return count != 0

            self._names = {gid: [gid] for gid in range(len(loca) - 1)}
            self._draws = draws
            return
        self._names = {gid: [name] for gid, name in enumerate(font.getGlyphOrder())}
        glyphs = font.getGlyphSet()
        self._draws = lambda name: has_outline(glyphs[name], glyphs)

    def _cff(self, stream: Any) -> None:
        from fontTools.cffLib import CFFFontSet
        from fontTools.ttLib import TTFont

        data = stream.read_bytes()
        if stream.get("/Subtype") == "/OpenType":  # what WeasyPrint writes for a CFF-based font
            self._sfnt(TTFont(io.BytesIO(data)))
            return
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(data), None)
        top = cff[cff.fontNames[0]]
        strings = top.CharStrings
        keyed = hasattr(top, "ROS")  # CID-keyed: glyph names are cid<NNNNN>; the code is the CID
        for gid, name in enumerate(top.charset):
            code = int(name[3:]) if keyed and name.startswith("cid") else gid
            self._names.setdefault(code, []).append(name)
        self._draws = lambda name: has_outline(strings[name], strings)

    def outlined(self, code: int) -> bool | None:
        """None when ``code`` shows no glyph (.notdef or none), else whether its glyph has an outline."""
        gid = code
        if self.gid_map is not None:
            pair = self.gid_map[2 * code : 2 * code + 2]
            gid = int.from_bytes(pair, "big") if len(pair) == 2 else 0
        names = self._names.get(gid)
        if gid == 0 or names is None:
            return None
        return any(self._draws(name) for name in names)


def stored_contours(loca: Any, data: bytes, gid: int) -> int | None:
    """Glyph ``gid``'s contour count (0 for an empty glyph, -1 for a composite), read from the
    'glyf' table's bytes where the 'loca' table says the glyph starts; None for a glyph too short
    to have the field (what fontTools makes of such data is left to it)."""
    start, end = loca[gid], loca[gid + 1]
    if end <= start:
        return 0
    if end - start < GLYPH_HEADER or len(data) < start + GLYPH_HEADER:
        return None
    return int.from_bytes(data[start : start + 2], "big", signed=True)


class _Point(Exception):
    """A glyph's first point, drawn: it has an outline."""


@cache
def _first_point_pen() -> type:
    """A fontTools pen that stops the drawing at the first point (components are drawn
    through the glyph set, as fontTools' BoundsPen draws them)."""
    from fontTools.pens.basePen import BasePen

    class FirstPoint(BasePen):  # type: ignore[misc]
        def _moveTo(self, pt: Any) -> None:
            raise _Point

        def _lineTo(self, pt: Any) -> None:
            raise _Point

        def _curveToOne(self, pt1: Any, pt2: Any, pt3: Any) -> None:
            raise _Point

        def _qCurveToOne(self, pt1: Any, pt2: Any) -> None:
            raise _Point

    return FirstPoint


def has_outline(glyph: Any, glyphs: Any) -> bool:
    """Whether drawing ``glyph`` (a glyph of ``glyphs``) puts down any point: what fontTools'
    BoundsPen reports as bounds that are not None."""
    try:
        glyph.draw(_first_point_pen()(glyphs))
    except _Point:
        return True
    return False
