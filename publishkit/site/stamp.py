"""The gallery's reload stamp: it changes whenever anything the page shows changes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..model.settings import Settings
from .thumbs import GALLERY_DIR, intact

# Every field of a card but what is made from its outputs (the text shown, the thumbnails); its
# outputs by what the page shows of them. Plain attributes: dataclasses.asdict of a catalog's
# cards was a fifth of a nothing-changed build.
SHOWN = (
    "slug",
    "title",
    "brand",
    "edition",
    "readable",
    "summary",
    "audience",
    "reviewed",
    "errors",
    "failed_formats",
    "check",
    "check_stale",
    "claims",
    "disclaimers",
    "approval",
)


def stamp_row(card: Any) -> str:
    """One card's share of the stamp: what the page shows of it (but what is made from its
    outputs: the text shown, the thumbnails), its outputs by what the page shows of them."""
    outputs = sorted((f, e.path, e.sha256, e.built_at, e.disclaimers) for f, e in card.outputs.items())
    return json.dumps([*(getattr(card, k) for k in SHOWN), outputs], sort_keys=True, default=str)


def page_stamp(settings: Settings, cards: Sequence[Any], template: str) -> str:
    """What the page shows: every card, the clinic's look, the template and this code (a new
    gallery reloads too). A card's row worked out ahead (``card.stamp_row``) is used as it is.

    The rows are hashed one a line as they are (JSON: no line break inside one), not quoted
    into one more JSON text: at 500 articles that took 8 ms of the end of every build."""
    digest = hashlib.sha256()
    for card in cards:
        digest.update((card.stamp_row or stamp_row(card)).encode())
        digest.update(b"\n")
    rest = [
        {k: asdict(b) for k, b in settings.brands.items()},
        _digest(settings.templates_dir / template),
        _digest(Path(__file__).with_name("gallery.py")),
    ]
    digest.update(json.dumps(rest, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:16]


def cards_fingerprint(settings: Settings, template: str, formats: Sequence[str]) -> str:
    """What every card's HTML depends on besides the card: the template, this code, the formats."""
    here = Path(__file__).parent
    code = [_digest(here / name) for name in ("gallery.py", "cards.py")]
    parts = [_digest(settings.templates_dir / template), *code]
    return hashlib.sha256(json.dumps([parts, list(formats)]).encode()).hexdigest()[:16]


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""  # rendering says why


def up_to_date(
    settings: Settings,
    stamp: str,
    cache: dict[str, Any],
    index: str,
    stamp_file: str,
    verified: Collection[str] = (),
) -> bool:
    """The page on disk already shows this stamp, and every thumbnail it lists is there, whole
    (those of the cards in ``verified`` were found so during this build)."""
    folder = settings.build_dir / GALLERY_DIR
    try:
        same = (folder / stamp_file).read_text(encoding="utf-8") == stamp_js(stamp)
    except (OSError, UnicodeDecodeError):
        return False
    records = [r for k, r in cache.items() if isinstance(r, dict) and k not in verified]
    return same and (settings.build_dir / index).is_file() and all(intact(folder, r) for r in records)


def stamp_js(stamp: str) -> str:
    return f'window.publishkitStamp = "{stamp}";\n'
