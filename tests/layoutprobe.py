"""Layout probes that read rendered pages (PDFium character boxes): rows, words, page fill."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

HEADER_BAND = 54.0  # pt from the top: the running header (the PDF's top margin; the DOCX's too)
FOOTER_BAND = 102.0  # pt from the bottom: the footer band (1.42 in, the bottom margin)
MIN_FILL = 0.60
_WORD = re.compile(r"[A-Za-z]+")


@dataclass
class Line:
    text: str
    top: float  # pt from the bottom of the page (PDF coordinates)
    bottom: float


@dataclass
class Page:
    height: float
    lines: list[Line]  # body lines only (header and footer bands left out), in reading order

    @property
    def text(self) -> str:
        return norm(" ".join(line.text for line in self.lines))


def norm(text: str) -> str:
    text = text.replace("\u00ad", "").translate(str.maketrans("“”„‘’", '"""\'\''))
    return " ".join(text.split())


def _line(chars: list[tuple[str, float, float]], height: float) -> Line | None:
    body = [c for c in chars if c[2] < height - HEADER_BAND and c[1] > FOOTER_BAND]
    text = "".join(c[0] for c in body).strip()
    return Line(text, max(c[2] for c in body), min(c[1] for c in body)) if text else None


def read_pages(pdf: Path) -> list[Page]:
    """Every page's body lines, from PDFium's text and character boxes."""
    import pypdfium2 as pdfium

    out = []
    for page in pdfium.PdfDocument(str(pdf)):
        height = page.get_height()
        tp = page.get_textpage()
        runs: list[list[tuple[str, float, float]]] = [[]]
        for i in range(tp.count_chars()):
            ch = tp.get_text_range(i, 1)
            if ch in ("\r", "\n"):
                runs.append([])
                continue
            _left, bottom, _right, top = tp.get_charbox(i)
            runs[-1].append((ch, bottom, top))
        lines = [line for run in runs if (line := _line(run, height)) is not None]
        out.append(Page(height, lines))
    return out


def vocabulary(*texts: str) -> set[str]:
    return {w.lower() for t in texts for w in _WORD.findall(t)}


def split_words(pages: list[Page], vocab: set[str]) -> list[str]:
    """Words broken across two lines with no hyphen: "Categ" + "ory", where only the joined
    word is one the sources use."""
    found = []
    for page in pages:
        for a, b in zip(page.lines, page.lines[1:], strict=False):
            left = _WORD.findall(a.text[-30:])
            right = _WORD.findall(b.text[:30])
            if not left or not right or a.text.endswith(("-", "\u00ad", "‐")):
                continue
            if not a.text[-1].isalpha() or not b.text[0].isalpha():
                continue
            head, tail = left[-1].lower(), right[0].lower()
            if (head + tail) in vocab and (head not in vocab or tail not in vocab):
                found.append(f"{a.text!r} / {b.text!r}")
    return found


def split_rows(pages: list[Page], rows: list[list[str]]) -> list[str]:
    """Table rows whose cells are not all on one page."""
    texts = [p.text for p in pages]
    return [" | ".join(row) for row in rows if not any(all(norm(c) in t for c in row) for t in texts)]


def underfull_pages(pages: list[Page], table_heads: list[str]) -> list[str]:
    """Pages but the last filled less than MIN_FILL, unless the next page starts with a table
    (kept whole, it is allowed to leave the page before it emptier)."""
    out = []
    for n, page in enumerate(pages[:-1]):
        area = page.height - HEADER_BAND - FOOTER_BAND
        low = min((line.bottom for line in page.lines), default=page.height - HEADER_BAND)
        fill = (page.height - HEADER_BAND - low) / area
        following = pages[n + 1].text
        if fill < MIN_FILL and not any(following.startswith(norm(h)) for h in table_heads):
            out.append(f"page {n + 1} is {fill:.0%} full")
    return out


def markdown_tables(source: str) -> list[list[list[str]]]:
    """The pipe tables of a Markdown source: rows of cell texts (header first), no separator row."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*source.splitlines(), ""]:
        if line.lstrip().startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-: ") for c in cells):
                current.append([re.sub(r"[*_`]", "", c) for c in cells])
        elif current:
            tables.append(current)
            current = []
    return tables
