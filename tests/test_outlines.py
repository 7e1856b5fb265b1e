"""The glyph gate's short reading of a font (audit/outlines.py) gives fontTools' own answers: each
TrueType glyph's contour count without decompiling it, and whether each CFF glyph puts down a
point, drawn only to its first one. Compared glyph by glyph with fontTools reading every glyph
whole, on every font the project ships and on system Noto fonts of other scripts."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from publishkit.audit.outlines import has_outline, stored_contours

SHIPPED = sorted(p for p in (REPO / "templates" / "fonts").iterdir() if p.suffix in (".ttf", ".otf"))
NOTO = Path("/usr/share/fonts/truetype/noto")
SYSTEM = [NOTO / f"{n}.ttf" for n in ("NotoSansThai-Regular", "NotoSansDevanagari-Bold", "NotoSerif-Italic")]
CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
AT_MOST = 2500  # glyphs of a font compared (the first ones, then every 25th): a CJK font has 65,535


def _names(font: TTFont) -> list[str]:
    order = font.getGlyphOrder()
    return order[:AT_MOST] + order[AT_MOST::25]


def _fonts() -> list[tuple[Path, int]]:
    found = [(p, 0) for p in [*SHIPPED, *SYSTEM] if p.is_file()]
    return found + ([(CJK, 0)] if CJK.is_file() else [])


@pytest.mark.parametrize(
    ("path", "number"), _fonts(), ids=lambda v: v.name if isinstance(v, Path) else str(v)
)
def test_each_glyph_reads_as_fonttools_reads_it_whole(path: Path, number: int) -> None:
    ours = TTFont(path, fontNumber=number)  # read first: nothing of it decompiled yet
    whole = TTFont(path, fontNumber=number)
    names = _names(ours)
    if "glyf" in ours:
        # by glyph id, through 'loca', from the table as stored (what the gate reads)
        loca, data, full = ours["loca"], ours.reader["glyf"], whole["glyf"]
        counts = [stored_contours(loca, data, whole.getGlyphID(n)) for n in names]
        assert counts == [full[n].numberOfContours for n in names]
        assert 0 in counts and any(c is not None and c > 0 for c in counts)  # empty glyphs and outlined ones
        return
    glyphs, reference = ours.getGlyphSet(), whole.getGlyphSet()
    drawn = [has_outline(glyphs[n], glyphs) for n in names]
    expected = []
    for n in names:
        pen = BoundsPen(reference)
        reference[n].draw(pen)
        expected.append(pen.bounds is not None)
    assert drawn == expected
    assert True in drawn and False in drawn


def test_a_bare_cff_font_reads_as_fonttools_draws_it() -> None:
    """What a PDF embeds as /FontFile3 without /OpenType: the CFF table alone, its charstrings."""
    path = REPO / "templates" / "fonts" / "NotoSansCJKtc-Regular-subset.otf"
    top = TTFont(path)["CFF "].cff.topDictIndex[0]
    strings = top.CharStrings
    drawn, expected = [], []
    for name in top.charset:
        drawn.append(has_outline(strings[name], strings))
        pen = BoundsPen(strings)
        strings[name].draw(pen)
        expected.append(pen.bounds is not None)
    assert drawn == expected and True in drawn and False in drawn


def test_a_composite_glyph_counts_and_a_glyph_too_short_is_left_to_fonttools() -> None:
    font = TTFont(REPO / "templates" / "fonts" / "NotoSans-Regular.ttf")
    loca, data = font["loca"], font.reader["glyf"]
    counts = {stored_contours(loca, data, gid) for gid in range(len(loca) - 1)}
    assert -1 in counts  # accented letters: composites
    # an empty glyph has no contours; data shorter than the glyph header is not read here
    assert stored_contours([0, 0, 4], b"\x00\x01\x00\x00", 0) == 0
    assert stored_contours([0, 0, 4], b"\x00\x01\x00\x00", 1) is None
