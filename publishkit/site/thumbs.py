"""Page pictures for the gallery: remade only when the file they show changed."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from ..kit.fsutil import write_atomic
from ..kit.jsonfile import outline
from ..model.manifest import ManifestEntry
from ..model.settings import Settings


class Card(Protocol):
    """What of a gallery card the previews read and fill in."""

    thumbs: list[str]
    thumb_note: str
    previewed: bool

    @property
    def id(self) -> str: ...

    def shown_as(self, preview: str) -> ManifestEntry | None: ...


GALLERY_DIR = "_gallery"  # never a slug: slugs have no underscore
THUMBS_JSON = "thumbs.json"
THUMB_WIDTH = 480  # pixels; shown at half size, so sharp on high-density screens
THUMB_COLORS = 128  # a palette PNG is a third of the size and reads the same
# zlib level 1, not Pillow's 6: the same pixels, a third of the time, files about 18% larger.
THUMB_PNG_LEVEL = 1
RENDERED: list[str] = []  # the PDFs this process made thumbnails of (counted by the tests)


# build/_gallery/thumbs.json as read, and its records by card (a copy: the previews update it).
State = tuple[dict[str, Any], dict[str, Any]]


def load_renderer() -> None:
    """Import what makes the pictures (about 30 ms), ahead of a build's new handout."""
    import pypdfium2  # noqa: F401
    from PIL import Image  # noqa: F401


def preview_state(settings: Settings) -> State:
    """What the previews start from: thumbs.json as read, and a copy of its records."""
    thumbs = load_json(settings.build_dir / GALLERY_DIR / THUMBS_JSON)
    cache: dict[str, Any] = dict(thumbs.get("articles", {})) if thumbs.get("schema") == 1 else {}
    return thumbs, cache


def preview(settings: Settings, card: Card, cache: dict[str, Any]) -> bool:
    """The card's page pictures (``card.thumbs``), remade only when its file changed; whether
    the ones listed were there, whole, and kept."""
    card.previewed = True
    paged = card.shown_as("pages")
    if paged is None:
        return False
    try:
        card.thumbs, rendered = _thumbnails(settings, card.id, paged, cache)
    except Exception as exc:  # a preview is a convenience: a bad PDF must not fail the build
        card.thumb_note = f"no page previews: {exc}"
        return False
    return not rendered


def previews(settings: Settings, cards: Sequence[Card], state: State | None = None) -> None:
    """Page pictures for every card that has a paged output, remade only when its file changed
    (a card previewed already, with ``state``, is as it was)."""
    folder = settings.build_dir / GALLERY_DIR
    thumbs, cache = state or preview_state(settings)
    for card in cards:
        if not card.previewed:
            preview(settings, card, cache)
    live = {c.id for c in cards}
    for slug in [s for s in cache if s not in live]:
        for name in cache.pop(slug).get("pages", []):
            (folder / name).unlink(missing_ok=True)
    new_thumbs = {"schema": 1, "articles": dict(sorted(cache.items()))}
    if new_thumbs != thumbs and (cache or thumbs):
        write_atomic(folder / THUMBS_JSON, outline(new_thumbs, 2).encode())


def _thumbnails(
    settings: Settings, slug: str, entry: ManifestEntry, cache: dict[str, Any]
) -> tuple[list[str], bool]:
    """PNG pages of one PDF, reused while the PDF's sha256 is the same. Returns (paths, rendered)."""
    folder = settings.build_dir / GALLERY_DIR
    record = cache.get(slug)
    if (
        isinstance(record, dict)
        and record.get("pdf_sha256") == entry.sha256
        and record.get("width") == THUMB_WIDTH
        and intact(folder, record)
    ):
        return [f"{GALLERY_DIR}/{name}" for name in record["pages"]], False
    import pypdfium2 as pdfium  # only when a PDF changed
    from PIL import Image

    RENDERED.append(entry.path)
    names, sizes = [], []
    pdf = pdfium.PdfDocument(settings.build_dir / entry.path)
    try:
        for number, page in enumerate(pdf, start=1):
            image = page.render(scale=THUMB_WIDTH / page.get_width()).to_pil()
            buffer = io.BytesIO()
            # FASTOCTREE: six times faster than the default median cut here, and as readable.
            image.quantize(colors=THUMB_COLORS, method=Image.Quantize.FASTOCTREE).save(
                buffer, format="PNG", compress_level=THUMB_PNG_LEVEL
            )
            name = f"{slug}-p{number}.png"
            # Not synced to disk (two fsyncs were a third of the previews' time): a preview lost
            # or cut short by a crash has the wrong size, and ``intact`` has it made again.
            write_atomic(folder / name, buffer.getvalue(), durable=False)
            names.append(name)
            sizes.append(len(buffer.getvalue()))
            page.close()
    finally:
        pdf.close()
    for stale in record.get("pages", []) if isinstance(record, dict) else []:
        if stale not in names:
            (folder / stale).unlink(missing_ok=True)
    cache[slug] = {"pdf_sha256": entry.sha256, "width": THUMB_WIDTH, "pages": names, "bytes": sizes}
    return [f"{GALLERY_DIR}/{name}" for name in names], True


def intact(folder: Path, record: dict[str, Any]) -> bool:
    """Every preview of ``record`` is there with the size it was written with."""
    names, sizes = record.get("pages", []), record.get("bytes")
    if not isinstance(sizes, list) or len(sizes) != len(names):
        return False  # a list from before the sizes were kept: made again once
    try:
        return all((folder / name).stat().st_size == size for name, size in zip(names, sizes, strict=True))
    except OSError:
        return False


def load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (FileNotFoundError, ValueError):
        return {}
