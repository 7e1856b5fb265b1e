"""Which glyphs of a font a PDF embeds exist, and which have an outline: what the glyph gate
(glyphs.py) asks of each embedded font.

A glyph has an outline when drawing it puts down a point: a TrueType glyph with contours (a
composite counts), a CFF glyph whose charstring moves or draws. The answers are fontTools' own,
read the short way (tested against drawing every glyph whole, on every font the project ships
and the system's Noto fonts):
- a TrueType glyph's contour count is the first field of its data: read there, the glyph is not
  decompiled point by point;
- a CFF glyph is drawn until its first point, not to its end (most of a Chinese character's
  strokes are never run).

A process's first handout embeds about 12 subsets never seen before; reading them whole took
most of the gate's first call.
"""

from __future__ import annotations

import io
import unicodedata
from functools import cache
from typing import Any

SPACES = ("Zs", "Zl", "Zp", "Cc", "Cf")  # drawn as nothing: an empty glyph is right for them
GLYPH_HEADER = 10  # bytes: numberOfContours, then the bounding box (the 'glyf' table)


class Outlines:
    """Which glyph ids of one embedded (Type0) font exist and which have an outline."""

    def __init__(self, font: Any) -> None:
        descendant = font.DescendantFonts[0]
        descriptor = descendant.FontDescriptor
        self.gid_map: bytes | None = None
        cid_to_gid = descendant.get("/CIDToGIDMap")
        if cid_to_gid is not None and cid_to_gid != "/Identity":
            self.gid_map = cid_to_gid.read_bytes()
        self.outlined: set[int] = set()
        self.exists: set[int] = set()
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
        glyf = font.get("glyf")
        glyphs = None if glyf is not None else font.getGlyphSet()
        for gid, name in enumerate(font.getGlyphOrder()):
            self.exists.add(gid)
            outlined = contours(glyf, name) != 0 if glyphs is None else has_outline(glyphs[name], glyphs)
            if outlined:
                self.outlined.add(gid)

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
            self.exists.add(code)
            if has_outline(strings[name], strings):
                self.outlined.add(code)

    def drawn(self, code: int, text: str) -> bool:
        gid = code
        if self.gid_map is not None:
            pair = self.gid_map[2 * code : 2 * code + 2]
            gid = int.from_bytes(pair, "big") if len(pair) == 2 else 0
        if gid == 0 or gid not in self.exists:
            return False
        return gid in self.outlined or all(unicodedata.category(c) in SPACES for c in text)


def contours(glyf: Any, name: str) -> int:
    """``glyf[name].numberOfContours``: 0 for an empty glyph, -1 for a composite. Read from the
    glyph's data while fontTools has not decompiled it (it would decompile every point)."""
    glyph = getattr(glyf, "glyphs", {}).get(name)
    data = getattr(glyph, "data", None)
    if data == b"":
        return 0
    if not isinstance(data, bytes) or len(data) < GLYPH_HEADER:  # decompiled, not loaded, or odd
        return int(glyf[name].numberOfContours)
    return int.from_bytes(data[:2], "big", signed=True)


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
