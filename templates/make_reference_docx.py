"""Make templates/reference.docx: pandoc's default reference document in the clinic's brand.

Run it from the project folder after changing anything below (font, sizes, colours):

    .venv/bin/python templates/make_reference_docx.py

pandoc copies the styles, page size and margins of this file into every Word document it writes;
publishkit then adds the header, the footer and the document properties. The output is
byte-reproducible (fixed zip times), so re-running it without changes leaves git clean.
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from publishkit.kit.docxkit import rezip  # noqa: E402

# --- the brand: change these and re-run --------------------------------------------------------
FONT = "Arial"  # everywhere in Word; LibreOffice uses the metric-compatible Liberation Sans
BRAND = "1F5F7A"  # replaced by [tool.publish.brand] color from pyproject.toml when set
INK = "222222"  # body text: near-black, softer than pure black on white paper
MUTED = "595959"  # header, footer, reference line (7:1 contrast on white)
TINT = "E8F1F4"  # light brand tint behind the summary and the table header row
RULE = "9FB7C2"  # table and box borders
BODY_PT = 12
HEADINGS = {1: 22, 2: 16, 3: 14, 4: 12, 5: 12, 6: 12}  # Heading n: size in points


def pandoc_default() -> bytes:
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    out = subprocess.run(
        [pandoc, "--print-default-data-file", "reference.docx"], capture_output=True, check=True
    )
    return out.stdout


def _set(parent, tag: str, **attrs: str):  # type: ignore[no-untyped-def]
    """Replace child ``tag`` of ``parent`` with a fresh one carrying ``attrs`` (w: namespace)."""
    for old in parent.findall(qn(tag)):
        parent.remove(old)
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(f"w:{k}"), v)
    parent.append(el)
    return el


def _borders(parent, tag: str, sides: tuple[str, ...], color: str, size: int = 6, space: int = 4):  # type: ignore[no-untyped-def]
    box = _set(parent, tag)
    for side in sides:
        el = OxmlElement(f"w:{side}")
        for k, v in {"val": "single", "sz": str(size), "space": str(space), "color": color}.items():
            el.set(qn(f"w:{k}"), v)
        box.append(el)
    return box


def _font(
    style, size: float | None = None, color: str | None = INK, bold: bool | None = None
) -> None:  # type: ignore[no-untyped-def]
    f = style.font
    f.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    fonts.set(qn("w:cs"), FONT)
    if size is not None:
        f.size = Pt(size)
        _set(rpr, "w:szCs", val=str(int(size * 2)))
    if color is not None:
        f.color.rgb = RGBColor.from_string(color)  # also drops any theme colour
    if bold is not None:
        f.bold = bold


def _paragraph_style(doc, name: str, base: str = "Body Text"):  # type: ignore[no-untyped-def]
    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.style_id = name.replace(" ", "")  # Word's own ids: "Header", "Footer"
        style.base_style = doc.styles[base]
        style.quick_style = True
        return style


def _spacing(style, before: float, after: float, line: float = 1.3) -> None:  # type: ignore[no-untyped-def]
    pf = style.paragraph_format
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    pf.line_spacing = line


def restyle(doc) -> None:  # type: ignore[no-untyped-def]
    styles = doc.styles
    # Document defaults: every run is Arial 12 pt unless a style says otherwise.
    rpr_default = (
        styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    )
    _set(rpr_default, "w:rFonts", ascii=FONT, hAnsi=FONT, eastAsia=FONT, cs=FONT)
    rpr_default.insert(0, rpr_default.find(qn("w:rFonts")))

    for name in (
        "Normal",
        "Body Text",
        "First Paragraph",
        "Block Text",
        "Definition",
        "Definition Term",
    ):
        _font(styles[name], BODY_PT)
    _spacing(styles["Normal"], 0, 8)
    _spacing(styles["Body Text"], 0, 10)
    _spacing(styles["Compact"], 2, 4)  # list items and table cells
    _font(styles["Compact"], BODY_PT)

    for level, size in HEADINGS.items():
        h = styles[f"Heading {level}"]
        _font(h, size, BRAND, bold=True)
        h.font.italic = False
        _spacing(h, 24 if level == 1 else 18, 8 if level == 1 else 6, 1.1)
        h.paragraph_format.keep_with_next = True
        _font(styles[f"Heading {level} Char"], size, BRAND, bold=True)
    # Word's heading 1 reads as the document title: a rule under it, brand coloured.
    _borders(
        styles["Heading 1"].element.get_or_add_pPr(), "w:pBdr", ("bottom",), BRAND, size=12, space=6
    )
    for name in ("Title", "Subtitle"):
        _font(styles[name], None, BRAND, bold=True)

    # The summary under the title: set apart on a light brand tint with a brand bar on the left.
    summary = _paragraph_style(doc, "Summary")
    _font(summary, 13, INK)
    _spacing(summary, 6, 14, 1.3)
    ppr = summary.element.get_or_add_pPr()
    _borders(ppr, "w:pBdr", ("left",), BRAND, size=24, space=8)
    _set(ppr, "w:shd", val="clear", color="auto", fill=TINT)
    summary.paragraph_format.left_indent = Pt(8)
    summary.paragraph_format.right_indent = Pt(8)

    # The clinic's letterhead above the title (name, address, phone, website), as on the handout.
    contact = _paragraph_style(doc, "Clinic Contact")
    _font(contact, 10, MUTED)
    _spacing(contact, 0, 2, 1.15)

    quote = styles["Block Text"]
    _spacing(quote, 6, 10)
    quote.paragraph_format.left_indent = Inches(0.3)
    _borders(quote.element.get_or_add_pPr(), "w:pBdr", ("left",), BRAND, size=18, space=8)

    # Disclaimers at the end: a thin box so nobody mistakes them for article text.
    disclaimer = _paragraph_style(doc, "Disclaimer")
    _font(disclaimer, BODY_PT, INK)
    _spacing(disclaimer, 0, 8, 1.25)
    _borders(
        disclaimer.element.get_or_add_pPr(),
        "w:pBdr",
        ("top", "left", "bottom", "right"),
        RULE,
        size=4,
        space=6,
    )
    disclaimer.paragraph_format.left_indent = Pt(6)
    disclaimer.paragraph_format.right_indent = Pt(6)
    # A disclaimer's box never splits, but the closing block may break between disclaimers:
    # kept in one piece it jumped to a page of its own and left the page before half empty.
    disclaimer.paragraph_format.keep_together = True
    disclaimer.paragraph_format.keep_with_next = False
    review = _paragraph_style(doc, "Review Line")
    _font(review, BODY_PT, INK, bold=True)
    _spacing(review, 12, 4)
    review.paragraph_format.keep_with_next = True
    reference = _paragraph_style(doc, "Reference Line")
    _font(reference, 10, MUTED)
    _spacing(reference, 0, 0)

    for name, size in (("Header", 10), ("Footer", 10)):
        style = _paragraph_style(doc, name, base="Normal")
        _font(style, size, MUTED)
        _spacing(style, 0, 2, 1.15)
    _borders(
        styles["Header"].element.get_or_add_pPr(), "w:pBdr", ("bottom",), RULE, size=4, space=4
    )
    _borders(styles["Footer"].element.get_or_add_pPr(), "w:pBdr", ("top",), RULE, size=4, space=4)

    _font(styles["Footnote Text"], 11, INK)
    _font(styles["Hyperlink"], None, BRAND)
    styles["Hyperlink"].font.underline = True  # links must not rely on colour alone
    for name in ("Table Caption", "Image Caption"):
        _font(styles[name], 11, MUTED)
        styles[name].font.italic = False

    # Tables: thin borders on every cell, room inside, a tinted header row.
    table = styles["Table"].element
    tblpr = table.find(qn("w:tblPr"))
    if tblpr is None:
        tblpr = OxmlElement("w:tblPr")
        table.append(tblpr)
    _borders(
        tblpr,
        "w:tblBorders",
        ("top", "left", "bottom", "right", "insideH", "insideV"),
        RULE,
        size=4,
        space=0,
    )
    margins = _set(tblpr, "w:tblCellMar")
    for side, width in (("top", 60), ("left", 100), ("bottom", 60), ("right", 100)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(width))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    for old in table.findall(qn("w:tblStylePr")):
        table.remove(old)
    first = OxmlElement("w:tblStylePr")
    first.set(qn("w:type"), "firstRow")
    rpr = OxmlElement("w:rPr")
    rpr.append(OxmlElement("w:b"))
    first.append(rpr)
    tcpr = OxmlElement("w:tcPr")
    _set(tcpr, "w:shd", val="clear", color="auto", fill=TINT)
    first.append(tcpr)
    table.append(first)


def brand_color(root: Path) -> str:
    """[tool.publish.brand] color from the project's pyproject.toml, as RRGGBB."""
    import tomllib

    path = root / "pyproject.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    color = data.get("tool", {}).get("publish", {}).get("brand", {}).get("color", "#" + BRAND)
    return str(color).lstrip("#").upper()


def main(out_path: Path = HERE / "reference.docx") -> None:
    global BRAND
    BRAND = brand_color(HERE.parent)
    doc = docx.Document(io.BytesIO(pandoc_default()))
    restyle(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    section.header_distance = section.footer_distance = Inches(0.45)
    cp = doc.core_properties
    cp.title, cp.author, cp.last_modified_by, cp.revision = (
        "publishkit reference document",
        "",
        "",
        1,
    )
    cp.created = cp.modified = datetime(2026, 1, 1, tzinfo=UTC)
    out = io.BytesIO()
    doc.save(out)
    out_path.write_bytes(rezip(out.getvalue(), (1980, 1, 1, 0, 0, 0)))
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "reference.docx")
