"""The PDF handout before and after: each page rendered, the changed ones side by side, changes boxed.

Only the sha256 of an approved PDF is in its record (the repository keeps text, not builds), so
``approve`` keeps a copy of the bytes in build/_approved/<sha256>.pdf for ``diff`` to compare with.
On another machine, or after that folder is removed, the report says the pages cannot be compared.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..kit.fsutil import write_atomic

APPROVED_DIR = "_approved"  # never a slug: slugs have no underscore
WIDTH = 700  # pixels per rendered page: readable side by side in the report
MARK = (214, 40, 40)  # the box drawn around a changed area (on the current page)


def approved_copy(build_dir: Path, digest: str) -> Path:
    return build_dir / APPROVED_DIR / f"{digest}.pdf"


def keep_approved(build_dir: Path, rel_path: str, digest: str) -> None:
    """Keep an approved PDF's bytes (content-addressed: one copy per distinct file)."""
    copy = approved_copy(build_dir, digest)
    if not copy.is_file():
        write_atomic(copy, (build_dir / rel_path).read_bytes())


@dataclass(frozen=True)
class PagePair:
    number: int  # 1-based
    before: str  # PNG file name beside the report ("" when the page is new)
    after: str  # "" when the page was removed
    boxes: int  # changed areas boxed on the current page


def _render(pdf_bytes: bytes) -> list[Any]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        return [page.render(scale=WIDTH / page.get_width()).to_pil().convert("RGB") for page in pdf]
    finally:
        pdf.close()


def _bands(diff: Any) -> Iterator[tuple[int, int, int, int]]:
    """Boxes around the changed areas: runs of changed pixel rows, each as wide as its changes."""
    mask = diff.convert("L").point(lambda v: 255 if v > 40 else 0)
    width, height = mask.size
    rows = [mask.crop((0, y, width, y + 1)).getbbox() for y in range(height)]
    y = 0
    while y < height:
        if rows[y] is None:
            y += 1
            continue
        top, left, right = y, width, 0
        while y < height and (rows[y] is not None or any(rows[y : y + 12])):  # join lines of one paragraph
            if rows[y] is not None:
                left, right = min(left, rows[y][0]), max(right, rows[y][2])
            y += 1
        yield max(left - 4, 0), max(top - 4, 0), min(right + 4, width - 1), min(y + 4, height - 1)


def compare_pages(before: bytes, after: bytes, folder: Path, stem: str) -> list[PagePair]:
    """Write the changed pages as PNGs (<stem>.p<N>.before.png / .after.png) into ``folder``."""
    from PIL import ImageChops, ImageDraw

    old, new = _render(before), _render(after)
    pairs = []
    for i in range(max(len(old), len(new))):
        a, b = (old[i] if i < len(old) else None), (new[i] if i < len(new) else None)
        boxes: list[tuple[int, int, int, int]] = []
        if a is not None and b is not None:
            if a.size == b.size:
                diff = ImageChops.difference(a, b)
                if diff.getbbox() is None:
                    continue
                boxes = list(_bands(diff))
            b = b.copy()
            draw = ImageDraw.Draw(b)
            for box in boxes:
                draw.rectangle(box, outline=MARK, width=3)
        names = []
        for image, side in ((a, "before"), (b, "after")):
            name = f"{stem}.p{i + 1}.{side}.png" if image is not None else ""
            if image is not None:
                buffer = io.BytesIO()
                image.save(buffer, format="PNG", optimize=True)
                write_atomic(folder / name, buffer.getvalue())
            names.append(name)
        pairs.append(PagePair(i + 1, names[0], names[1], len(boxes)))
    return pairs
