"""DOCX page and table layout: the PDF's page size and margins, tables sized from their content."""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Mm, Twips

from ._plaintable import column_widths

# The same page boxes as templates/handout.css (@page and @page large): top, right, bottom, left.
# The bottom margin is the PDF's footer band, where the DOCX footer (disclaimers, page) sits too.
MARGINS = {"standard": (0.75, 0.85, 1.42, 0.85), "large-print": (0.75, 0.75, 1.5, 0.75)}
PAGE = {"letter": (Inches(8.5), Inches(11)), "a4": (Mm(210), Mm(297))}
CELL_PADDING = 200  # twips: the left + right cell margins of the reference's "Table" style
EM_PER_CHAR = 0.55  # a generous average glyph width, so a column never gets narrower than its words
SHORT_TABLE_ROWS = 5  # a table of up to this many rows (header included) is kept on one page


def page_size_of(settings: Any) -> str:
    """[tool.publish.docx] page_size, or the PDF's when it is "" (follow the handout)."""
    return str(settings.docx.page_size or settings.pdf.page_size)


def set_page(document: Any, size: str, edition: str) -> None:
    top, right, bottom, left = MARGINS.get(edition, MARGINS["standard"])
    width, height = PAGE[size]
    for section in document.sections:
        section.page_width, section.page_height = width, height
        section.top_margin, section.right_margin = Inches(top), Inches(right)
        section.bottom_margin, section.left_margin = Inches(bottom), Inches(left)


def _child(parent: Any, tag: str, before: tuple[str, ...] = ()) -> Any:
    """``parent``'s ``tag`` element, made when missing (in front of the first of ``before``)."""
    el = parent.find(qn(tag))
    if el is None:
        el = OxmlElement(tag)
        anchor = next((parent.find(qn(b)) for b in before if parent.find(qn(b)) is not None), None)
        if anchor is not None:
            anchor.addprevious(el)
        else:
            parent.append(el)
    return el


def _cell_text(cell: Any) -> str:
    return " ".join(" ".join(p.text.split()) for p in cell.paragraphs).strip()


def table_grid(table: Any, text_width: int, font_pt: float) -> list[int]:
    """Column widths in twips that add up to ``text_width``.

    Widths come from the text: every column holds its longest word, and the room left goes where
    it saves the most lines (the plain-text layout, in characters of ``font_pt`` text).
    """
    rows = [[_cell_text(c) for c in row.cells] for row in table.rows]
    ncols = max(len(r) for r in rows)
    grid = [r + [""] * (ncols - len(r)) for r in rows]
    char = EM_PER_CHAR * font_pt * 20  # twips
    chars = int((text_width - CELL_PADDING * ncols) / char)
    widths = column_widths(grid, chars + 2 * (ncols - 1))  # column_widths keeps 2 spaces between
    if widths is None:  # longer words than the page holds: share by longest word
        widths = [max((len(w) for r in grid for w in r[i].split()), default=1) for i in range(ncols)]
    weights = [max(w, 1) * char + CELL_PADDING for w in widths]
    total = sum(weights)
    out = [int(text_width * w / total) for w in weights]
    out[-1] += text_width - sum(out)
    return out


def layout_table(table: Any, text_width: int, font_pt: float) -> None:
    """Full text width, content-sized fixed columns, rows that never split, header rows repeating
    (pandoc marks them), a short table kept on one page, and no longer table leaving its header
    and first row, or its last row, alone on a page."""
    tbl = table._tbl
    widths = table_grid(table, text_width, font_pt)
    tblpr = tbl.tblPr
    tblw = _child(tblpr, "w:tblW", ("w:jc", "w:tblLayout", "w:tblCellMar", "w:tblLook"))
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), str(text_width))
    _child(tblpr, "w:tblLayout", ("w:tblCellMar", "w:tblLook")).set(qn("w:type"), "fixed")
    grid = tbl.tblGrid
    for col in list(grid):
        grid.remove(col)
    for w in widths:
        col = OxmlElement("w:gridCol")
        col.set(qn("w:w"), str(w))
        grid.append(col)
    n = len(table.rows)
    kept = set(range(n - 1)) if n <= SHORT_TABLE_ROWS else {0, n - 2}
    for r, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        _child(trpr, "w:cantSplit", ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc"))
        for i, cell in enumerate(row.cells[: len(widths)]):
            cell.width = Twips(widths[i])
            if r in kept:
                # Keep-with-next on a row's paragraphs holds it on the page of the next row
                # (in Word and LibreOffice): on every row but the last, the table stays whole.
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True


def layout_tables(document: Any) -> None:
    section = document.sections[0]
    text_width = int(section.page_width.twips - section.left_margin.twips - section.right_margin.twips)
    size = document.styles["Compact"].font.size or document.styles["Normal"].font.size
    font_pt = size.pt if size is not None else 12.0
    for table in document.tables:
        layout_table(table, text_width, font_pt)
