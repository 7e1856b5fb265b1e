"""Email tables for phones: each data cell labelled with its column header, wide tables marked.

A phone's media query (templates/email.html.j2) turns a table marked ``pk-stack`` into one block
per row and shows each cell's label, a hidden ``<span class="pk-label">`` holding its column's
header. A real element rather than ``td::before { content: attr(data-label) }``: Gmail, Outlook.com
and Yahoo apply media queries but drop ``::before`` (caniemail), and would show unlabelled blocks.
Clients without media queries (Outlook for Windows, Gmail with non-Google accounts) keep the label
hidden and show the plain table.
"""

from __future__ import annotations

import html
import re

# The tags that matter, in the well-formed markup nh3 writes (lower case, double quotes).
_TAG = re.compile(r"<(/?)(table|tr|th|td)\b([^>]*)>")
_MARKUP = re.compile(r"<[^>]*>")
_SPAN = re.compile(r'\bcolspan="(\d+)"')
# A phone's text column: 375 px less the content padding (16 px each side) and some slack.
PHONE_WIDTH = 330
# Georgia at the phone's 14 px table text: a wide letter, plus cell padding and borders.
CHAR_PX = 8.5
CELL_PX = 12
# Hidden wherever the phone rule does not apply: mso-hide for Outlook for Windows, no height and
# no font size for Gmail's mobile webmail, which drops display:none (caniemail).
LABEL = (
    '<span class="pk-label" style="display:none; mso-hide:all; max-height:0; overflow:hidden; '
    'font-size:0; line-height:0;">{}</span>'
)


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_MARKUP.sub(" ", fragment)).split())


def _min_width(columns: dict[int, int]) -> float:
    """The narrowest the table can be without breaking a word: each column's longest word."""
    return sum(longest * CHAR_PX + CELL_PX for longest in columns.values())


class _Table:
    def __init__(self) -> None:
        self.labels: list[str] = []
        self.longest: dict[int, int] = {}  # column -> characters of its longest word
        self.header_row = True  # only the first row's <th> cells are labels
        self.column = 0

    def cell(self, column: int, text: str) -> None:
        words = text.split() or [""]
        self.longest[column] = max(self.longest.get(column, 0), *(len(w) for w in words))


def label_cells(fragment: str) -> str:
    """Give every <td> a hidden label (its column's header text) and every table too wide for a
    phone's text column without breaking words the class ``pk-stack``."""
    out: list[str] = []
    stack: list[tuple[_Table, int]] = []  # a table and where its start tag is in ``out``
    pos = 0
    for m in _TAG.finditer(fragment):
        out.append(fragment[pos : m.start()])
        pos = m.end()
        closing, tag, attrs = m.group(1) == "/", m.group(2), m.group(3)
        if tag == "table" and not closing:
            stack.append((_Table(), len(out)))
        elif tag == "table" and stack:
            table, at = stack.pop()
            if table.labels and _min_width(table.longest) > PHONE_WIDTH:
                out[at] = _add_class(out[at], "pk-stack")
        elif stack and tag == "tr" and not closing:
            stack[-1][0].column = 0
        elif stack and tag in ("th", "td") and not closing:
            table = stack[-1][0]
            span = int(s.group(1)) if (s := _SPAN.search(attrs)) else 1
            end = fragment.find(f"</{tag}>", pos)
            text = _text(fragment[pos:end] if end >= 0 else "")
            table.cell(table.column, text)
            if tag == "th" and table.header_row:
                table.labels += [text] * span
            elif tag == "td" and table.column < len(table.labels) and table.labels[table.column]:
                label = html.escape(table.labels[table.column], quote=False)
                out.append(f"<td{attrs}>{LABEL.format(label)}")
                table.column += span
                continue
            table.column += span
        elif stack and tag == "tr" and closing:
            stack[-1][0].header_row = False
        out.append(f"<{'/' if closing else ''}{tag}{attrs}>")
    out.append(fragment[pos:])
    return "".join(out)


def _add_class(start_tag: str, name: str) -> str:
    """``<table>`` or ``<table class="x">`` with one more class."""
    if m := re.search(r'\bclass="([^"]*)"', start_tag):
        return start_tag[: m.start(1)] + f"{m.group(1)} {name}".strip() + start_tag[m.end(1) :]
    return start_tag[:-1] + f' class="{name}">'
