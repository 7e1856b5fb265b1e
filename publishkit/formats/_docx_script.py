"""A Word document's language and script settings, set in the XML (python-docx has no API for them).

Word keeps three fonts and three languages per run: Latin (w:ascii, w:val), East Asian (w:eastAsia)
and complex script (w:cs, w:bidi: Arabic, Hebrew, Devanagari, ...). A document in Arabic needs
its paragraphs right to left (w:bidi), its Arabic runs marked w:rtl, bold also as w:bCs (pandoc
#6911), tables w:bidiVisual (pandoc #7695); one in Chinese, Japanese or Korean needs w:eastAsia.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from ..model.langtag import direction
from ..model.taglines import Tagline

TAGLINE_STYLE = "Tagline"  # the paragraph style of each language-access tagline (pandoc custom-style)

# The Noto family Word should ask for, by the language's script (fonts-noto-core, fonts-noto-cjk).
EAST_ASIAN_FONTS = {"zh-Hant": "Noto Sans CJK TC", "zh-Hans": "Noto Sans CJK SC", "ja": "Noto Sans CJK JP",
                    "ko": "Noto Sans CJK KR", "zh": "Noto Sans CJK TC"}  # fmt: skip
COMPLEX_FONTS = {"ar": "Noto Sans Arabic", "fa": "Noto Sans Arabic", "ur": "Noto Sans Arabic",
                 "he": "Noto Sans Hebrew", "hi": "Noto Sans Devanagari", "mr": "Noto Sans Devanagari",
                 "ne": "Noto Sans Devanagari"}  # fmt: skip


def _primary(tag: str) -> str:
    return tag.split("-")[0].lower()


def east_asian_font(tag: str) -> str:
    for key in (tag, "-".join(tag.split("-")[:2]), _primary(tag)):
        if key in EAST_ASIAN_FONTS:
            return EAST_ASIAN_FONTS[key]
    return ""


# Word reads these elements only in the schema's order (ECMA-376 CT_PPr, CT_RPr, CT_TblPr):
# each list is the order, up to the last element this module adds.
_ORDER = {
    "w:pPr": ["w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
              "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens",
              "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
              "w:autoSpaceDN", "w:bidi", "w:spacing"],
    "w:rPr": ["w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
              "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
              "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz",
              "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign",
              "w:rtl", "w:cs", "w:em", "w:lang"],
    "w:tblPr": ["w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual"],
    "w:docDefaults": ["w:rPrDefault"],
}  # fmt: skip


def _child(parent: Any, tag: str) -> Any:
    """``parent``'s child ``tag``, created at its place in the schema's order if missing."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    found = parent.find(qn(tag))
    if found is not None:
        return found
    found = OxmlElement(tag)
    order = _ORDER.get("w:" + parent.tag.rsplit("}", 1)[-1], [])
    before = set(order[: order.index(tag)]) if tag in order else None
    at = 0
    for i, node in enumerate(parent):
        name = "w:" + node.tag.rsplit("}", 1)[-1]
        if before is None or name in before:
            at = i + 1
    # pPr, rPr, tblPr, docDefaults open their parent; the rest follow what the schema puts first.
    parent.insert(0 if tag in ("w:pPr", "w:rPr", "w:tblPr", "w:docDefaults") else at, found)
    return found


def _set_defaults(document: Any, tag: str) -> None:
    """The document's default run fonts and languages (styles.xml w:docDefaults)."""
    from docx.oxml.ns import qn

    styles = document.styles.element
    rpr = _child(_child(_child(styles, "w:docDefaults"), "w:rPrDefault"), "w:rPr")
    fonts, lang = _child(rpr, "w:rFonts"), _child(rpr, "w:lang")
    if east_asian_font(tag):
        fonts.set(qn("w:eastAsia"), east_asian_font(tag))
        lang.set(qn("w:eastAsia"), tag)
    if _primary(tag) in COMPLEX_FONTS:
        fonts.set(qn("w:cs"), COMPLEX_FONTS[_primary(tag)])
        lang.set(qn("w:bidi"), tag)
        # The reference document's styles name Arial for complex script too, which overrides the
        # default above: LibreOffice then drew Arabic in whatever fallback font it found.
        for style_fonts in styles.iter(qn("w:rFonts")):
            if style_fonts.get(qn("w:cs")) is not None:
                style_fonts.set(qn("w:cs"), COMPLEX_FONTS[_primary(tag)])


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def _left_bars(document: Any) -> dict[str, Any]:
    """The left border of each paragraph style that has one (the summary's and quotes' bar), by id."""
    from docx.oxml.ns import qn

    bars = {}
    for style in document.styles.element.iter(qn("w:style")):
        edge = style.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:left')}")
        if edge is not None:
            bars[style.get(qn("w:styleId"))] = edge
    return bars


def _bar_to_the_right(ppr: Any, bars: dict[str, Any]) -> None:
    """A border is on the same side of the page whatever the paragraph's direction (ECMA-376
    17.3.1.17): a right-to-left paragraph gets its style's left bar on its right, where it starts."""
    from copy import deepcopy

    from docx.oxml.ns import qn

    style = ppr.find(qn("w:pStyle"))
    edge = bars.get(style.get(qn("w:val"))) if style is not None else None
    if edge is None:
        return
    borders = _child(ppr, "w:pBdr")
    for old in list(borders):
        borders.remove(old)
    none = deepcopy(edge)
    none.attrib.clear()
    none.set(qn("w:val"), "nil")
    right = deepcopy(edge)
    right.tag = qn("w:right")
    borders.extend([none, right])  # the schema's order: top, left, bottom, right


def _right_to_left(root: Any, bars: dict[str, Any]) -> None:
    """Paragraphs and runs of right-to-left text right to left; bold also complex-script bold."""
    from docx.oxml.ns import qn

    for p in root.iter(qn("w:p")):
        # A paragraph with no right-to-left letter (the clinic's English address, "Page X of Y")
        # stays left to right, or its leading and trailing numbers would swap ends.
        if _has_rtl("".join(t.text or "" for t in p.iter(qn("w:t")))):
            ppr = _child(p, "w:pPr")
            _child(ppr, "w:bidi")
            _bar_to_the_right(ppr, bars)
    for r in root.iter(qn("w:r")):
        text = "".join(t.text or "" for t in r.iter(qn("w:t")))
        rpr = r.find(qn("w:rPr"))
        if rpr is None and not _has_rtl(text):
            continue
        rpr = _child(r, "w:rPr")
        if rpr.find(qn("w:b")) is not None:
            _child(rpr, "w:bCs")
        if _has_rtl(text):  # Latin runs (a phone number, a clinic's English name) stay left to right
            _child(rpr, "w:rtl")
    for tbl in root.iter(qn("w:tbl")):
        _child(_child(tbl, "w:tblPr"), "w:bidiVisual")


def apply_script(document: Any, tag: str) -> None:
    """Set the fonts, languages and direction the language ``tag`` needs, body, headers, footers."""
    _set_defaults(document, tag)
    if direction(tag) != "rtl":
        return
    roots = [document.element.body]
    for section in document.sections:
        for kind in ("header", "footer", "first_page_header", "first_page_footer"):
            part = getattr(section, kind)
            if not part.is_linked_to_previous:
                roots.append(part._element)
    bars = _left_bars(document)
    for root in roots:
        _right_to_left(root, bars)


def _lang_run(paragraph: Any, text: str, tag: str, bold: bool = False) -> None:
    """Append a run of ``text`` in language ``tag``: w:lang (w:val, and w:eastAsia or w:bidi as
    the script needs), its East Asian or complex-script font, w:rtl when it is right-to-left text."""
    from docx.oxml.ns import qn

    run = paragraph.add_run(text)
    if bold:
        run.bold = True
    rpr = _child(run._r, "w:rPr")
    lang = _child(rpr, "w:lang")
    lang.set(qn("w:val"), tag)
    if east_asian_font(tag):
        fonts = _child(rpr, "w:rFonts")
        fonts.set(qn("w:eastAsia"), east_asian_font(tag))
        fonts.set(qn("w:hint"), "eastAsia")
        lang.set(qn("w:eastAsia"), tag)
    if _primary(tag) in COMPLEX_FONTS:
        _child(rpr, "w:rFonts").set(qn("w:cs"), COMPLEX_FONTS[_primary(tag)])
        lang.set(qn("w:bidi"), tag)
        if bold:
            _child(rpr, "w:bCs")
    if _has_rtl(text):
        _child(rpr, "w:rtl")


def mark_taglines(document: Any, taglines: tuple[Tagline, ...], phone: str) -> None:
    """Rewrite each tagline paragraph (style Tagline, in order) as runs marked with its language:
    the name in bold, the sentence, and the phone number in a run of its own that stays left to
    right; a right-to-left language's paragraph is w:bidi."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    body = document.element.body
    found = [p for p in body.iter(qn("w:p")) if _style_of(p) == TAGLINE_STYLE]
    for p, tagline in zip(found, taglines, strict=True):
        for run in p.findall(qn("w:r")):
            p.remove(run)
        paragraph = Paragraph(p, document._body)
        before, number, after = tagline.parts(phone)
        _lang_run(paragraph, tagline.name, tagline.lang, bold=True)
        _lang_run(paragraph, " " + before, tagline.lang)
        if number:
            # LRM on both sides: Word and LibreOffice would otherwise swap the number's groups
            # in a right-to-left paragraph ("555-0142 (503)").
            shown = f"\u200e{number}\u200e" if tagline.dir == "rtl" else number
            # In an East Asian line the digits are set as Latin text, with no-break spaces and
            # hyphens:
            # LibreOffice otherwise breaks the number anywhere ("(503) 5" / "55-0142").
            whole = shown.replace(" ", "\u00a0").replace("-", "\u2011")
            _lang_run(paragraph, whole, "en-US" if east_asian_font(tagline.lang) else tagline.lang)
        if after:
            _lang_run(paragraph, after, tagline.lang)
        if tagline.dir == "rtl":
            _child(_child(p, "w:pPr"), "w:bidi")
    if found:  # a blank line's space between the closing block and the taglines
        _child(_child(found[0], "w:pPr"), "w:spacing").set(qn("w:before"), "360")


def _style_of(p: Any) -> str:
    from docx.oxml.ns import qn

    style = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return str(style.get(qn("w:val"))) if style is not None else ""
