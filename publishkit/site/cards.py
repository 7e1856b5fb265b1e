"""The gallery's cards, each rendered once and kept while what it shows is unchanged.

At 500 articles the page is about 8 MB of HTML: rendering every card again after one article's
edit took longer than building that article's plain text, email and Word file together. Each
card's HTML is kept in build/_gallery/cards.json under a key of everything the card shows (its
fields, its outputs' paths, sizes and hashes, its page previews); the page is the cards joined,
and only a card whose key changed is rendered again. A new gallery template or gallery code
renders every card again (the fingerprint).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..kit.fsutil import write_atomic
from ..kit.statmemo import StatMemo
from .stamp import stamp_row
from .thumbs import GALLERY_DIR, load_json

CARDS_JSON = "cards.json"
SCHEMA = 1
RENDERED: list[str] = []  # the cards this process rendered (counted by the tests)

# The cards this process last read or wrote, while the file is unchanged (a watcher's edits).
_READ: StatMemo[dict[str, Any]] = StatMemo()


def card_key(card: Any) -> str:
    """Everything the card's HTML is made from: what the page's stamp covers of it (its row, read
    from the card when worked out already), its outputs' sizes and its page pictures. Its text is
    its text output's hash (in the row; read only when the card is rendered)."""
    row = card.stamp_row or stamp_row(card)
    more = [sorted((f, e.bytes) for f, e in card.outputs.items()), card.thumbs, card.thumb_note]
    return hashlib.sha256((row + json.dumps(more)).encode()).hexdigest()


def stored_cards(build_dir: Path) -> dict[str, Any]:
    """build/_gallery/cards.json as the last gallery wrote it ({} when there is none)."""
    path = build_dir / GALLERY_DIR / CARDS_JSON
    return _READ.get(build_dir, [path], lambda: load_json(path))


def rendered_cards(
    build_dir: Path,
    cards: Sequence[Any],
    fingerprint: str,
    render: Callable[[Any], str],
    stored: dict[str, Any] | None = None,
) -> dict[str, Markup]:
    """Each card's HTML by its id: kept ones as they were, the others from ``render(card)``.
    The store keeps the cards shown now, nothing else. ``stored``: the store, read already; a
    card's key worked out ahead (``card.key``) is used as it is."""
    path = build_dir / GALLERY_DIR / CARDS_JSON
    stored = stored_cards(build_dir) if stored is None else stored
    kept: dict[str, Any] = {}
    if stored.get("schema") == SCHEMA and stored.get("fingerprint") == fingerprint:
        kept = stored.get("cards", {})
    out: dict[str, Markup] = {}
    now: dict[str, list[str]] = {}
    for card in cards:
        key = card.key or card_key(card)
        hit = kept.get(card.id)
        if isinstance(hit, list) and len(hit) == 2 and hit[0] == key:
            html = str(hit[1])
        else:
            RENDERED.append(card.id)
            html = render(card)
        now[card.id] = [key, html]
        out[card.id] = Markup(html)  # rendered by the autoescaping template: safe as it is
    if now != kept or stored.get("fingerprint") != fingerprint:
        data = {"schema": SCHEMA, "fingerprint": fingerprint, "cards": now}
        # Not synced: a store lost in a crash only means every card is rendered again.
        write_atomic(path, (json.dumps(data, ensure_ascii=False) + "\n").encode(), durable=False)
        _READ.remember(build_dir, path, data)
    return out
