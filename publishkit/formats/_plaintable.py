"""Tables as plain text within 72 columns: wrapped cells in columns, or one block per row."""

from __future__ import annotations

from typing import Any

from ..kit.doctree import AST, Node, _rewrite_lists, stringify, walk
from ..kit.eastasian import columns
from ._plain import WIDTH, longest_piece, unbind, wrap_lines

GAP = 2  # spaces between columns


def _cells(row: Any, ncols: int) -> list[str]:
    # A row is [attr, cells]; a cell is [attr, align, rowspan, colspan, blocks].
    texts = [stringify(cell[4], keep_nbsp=True) for cell in row[1]][:ncols]
    return texts + [""] * (ncols - len(texts))


def _rows(table: Node) -> tuple[list[str] | None, list[list[str]], list[bool]]:
    """(header texts or None, body and foot rows, right-aligned flag per column)."""
    _attr, _caption, colspecs, head, bodies, foot = table["c"]
    ncols = len(colspecs)
    heads = [_cells(r, ncols) for r in head[1]]
    header = [" ".join(h[i] for h in heads).strip() for i in range(ncols)] if heads else None
    rows: list[list[str]] = []
    for body in bodies:
        rows.extend(_cells(r, ncols) for r in [*body[2], *body[3]])
    rows.extend(_cells(r, ncols) for r in foot[1])
    right = [spec[0].get("t") == "AlignRight" for spec in colspecs]
    return (header if header and any(header) else None), rows, right


def column_widths(grid: list[list[str]], width: int = WIDTH) -> list[int] | None:
    """Widths in columns that fit ``width`` with no word broken, or None when the columns cannot fit.

    Each column gets at least its longest word. The room left goes, step by step, where it saves
    the most lines per column of room ("less than 120" back on one line costs 4 columns and saves
    a line in every row); room that saves no line goes to the columns furthest from whole.
    """
    ncols = len(grid[0])
    least = [max(longest_piece(r[i]) for r in grid) for i in range(ncols)]
    most = [max(columns(r[i]) for r in grid) for i in range(ncols)]
    room = width - GAP * (ncols - 1)
    if sum(most) <= room:
        return most
    if sum(least) > room:
        return None
    counts: dict[tuple[int, int], list[int]] = {}

    def lines(i: int, w: int) -> list[int]:
        if (i, w) not in counts:
            counts[i, w] = [len(wrap_lines(r[i], w)) for r in grid]
        return counts[i, w]

    def height(ws: list[int]) -> int:
        return sum(map(max, zip(*(lines(i, w) for i, w in enumerate(ws)), strict=True)))

    widths = list(least)
    while (spare := room - sum(widths)) > 0:
        now, best = height(widths), None
        for i in range(ncols):
            for step in range(1, min(spare, most[i] - widths[i]) + 1):
                saved = now - height([w + step * (j == i) for j, w in enumerate(widths)])
                if saved > 0:
                    if best is None or saved / step > best[0]:
                        best = (saved / step, i, step)
                    break
        if best is None:
            break
        widths[best[1]] += best[2]
    for _ in range(room - sum(widths)):
        i = max(range(ncols), key=lambda i: (most[i] - widths[i]) / most[i])
        if widths[i] >= most[i]:
            break
        widths[i] += 1
    return widths


def _grid_text(header: list[str] | None, rows: list[list[str]], widths: list[int], right: list[bool]) -> str:
    def lines_of(row: list[str]) -> list[str]:
        cells = [wrap_lines(text, w) or [""] for text, w in zip(row, widths, strict=True)]
        out = []
        for n in range(max(len(c) for c in cells)):
            parts = []
            for i, cell in enumerate(cells):
                text = cell[n] if n < len(cell) else ""
                pad = " " * (widths[i] - columns(text))  # in columns: a Chinese character takes two
                parts.append(pad + text if right[i] else text + pad)
            out.append((" " * GAP).join(parts).rstrip())
        return out

    body = [lines_of(r) for r in rows]
    spaced = any(len(b) > 1 for b in body)  # wrapped rows need a blank line to show where each ends
    out: list[str] = []
    if header is not None:
        out += lines_of(header)
        out.append((" " * GAP).join("-" * w for w in widths))
    for i, block in enumerate(body):
        if spaced and (i or header is None):
            out.append("")
        out += block
    return "\n".join(out)


def _blocks_text(header: list[str] | None, rows: list[list[str]]) -> str:
    """One block per row, "Header: value" per cell: for tables too wide for columns."""
    out: list[str] = []
    for row in rows:
        if out:
            out.append("")
        for i, value in enumerate(row):
            label = f"{header[i]}: " if header and header[i] else ""
            out += wrap_lines(f"{label}{value}".strip(), WIDTH, hang="    ")
    return "\n".join(out)


def table_text(table: Node, width: int = WIDTH) -> str:
    """The table as plain text whose every line fits ``width`` (a word longer than that excepted)."""
    header, rows, right = _rows(table)
    grid = [header, *rows] if header is not None else rows
    if not grid or not grid[0]:
        return ""
    widths = column_widths(grid, width)
    text = _grid_text(header, rows, widths, right) if widths else _blocks_text(header, rows)
    return unbind(text)


def tables_to_text(ast: AST, width: int = WIDTH) -> AST:
    """Replace each table by its plain-text layout (a raw plain block), caption first.

    A table holding a footnote is left to pandoc: the note's number comes from pandoc's own
    count, which a raw block would skip.
    """

    def fn(node: Node) -> list[Node] | None:
        if node.get("t") != "Table" or any(n.get("t") == "Note" for n in walk(node["c"])):
            return None
        caption_blocks = list(node["c"][1][1])
        text = table_text(node, width)
        return [*caption_blocks, {"t": "RawBlock", "c": ["plain", text]}] if text else caption_blocks

    result: AST = _rewrite_lists(ast, fn)
    return result
