"""The gallery's page previews: PNG thumbnails of a PDF, made again only when the PDF changed."""

from __future__ import annotations

import io
from typing import Any

from ..kit.fsutil import write_atomic
from ..model.settings import Settings
from ..pipeline.manifest import ManifestEntry

GALLERY_DIR = "_gallery"  # never a slug: slugs have no underscore
THUMB_WIDTH = 480  # pixels; shown at half size, so sharp on high-density screens
THUMB_COLORS = 128  # a palette PNG is a third of the size and reads the same
RENDERED: list[str] = []  # the PDFs this process made thumbnails of (counted by the tests)


def thumbnails(
    settings: Settings, slug: str, entry: ManifestEntry, cache: dict[str, Any]
) -> tuple[list[str], bool]:
    """PNG pages of one PDF, reused while the PDF's sha256 is the same. Returns (paths, rendered)."""
    folder = settings.build_dir / GALLERY_DIR
    record = cache.get(slug)
    if (
        isinstance(record, dict)
        and record.get("pdf_sha256") == entry.sha256
        and record.get("width") == THUMB_WIDTH
        and all((folder / name).is_file() for name in record.get("pages", []))
    ):
        return [f"{GALLERY_DIR}/{name}" for name in record["pages"]], False
    import pypdfium2 as pdfium  # only when a PDF changed
    from PIL import Image

    RENDERED.append(entry.path)
    names = []
    pdf = pdfium.PdfDocument(settings.build_dir / entry.path)
    try:
        for number, page in enumerate(pdf, start=1):
            image = page.render(scale=THUMB_WIDTH / page.get_width()).to_pil()
            buffer = io.BytesIO()
            # FASTOCTREE: six times faster than the default median cut here, and as readable.
            image.quantize(colors=THUMB_COLORS, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG")
            name = f"{slug}-p{number}.png"
            write_atomic(folder / name, buffer.getvalue())
            names.append(name)
            page.close()
    finally:
        pdf.close()
    for stale in record.get("pages", []) if isinstance(record, dict) else []:
        if stale not in names:
            (folder / stale).unlink(missing_ok=True)
    cache[slug] = {"pdf_sha256": entry.sha256, "width": THUMB_WIDTH, "pages": names}
    return [f"{GALLERY_DIR}/{name}" for name in names], True
