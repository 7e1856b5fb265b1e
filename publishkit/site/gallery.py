"""build/index.html: every article's outputs side by side, for people who judge by looking."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PublishError
from ..formats import REGISTRY
from ..kit.fsutil import write_atomic
from ..model.manifest import Key, ManifestEntry
from ..model.registry import Registry
from ..model.settings import Settings
from .cardmodel import Card, Sources, entries_by_slug, errors_by_slug, make_card, registry_of, variants
from .cards import CARDS_JSON, card_key, rendered_cards, stored_cards
from .stamp import cards_fingerprint, page_stamp, stamp_js, stamp_row, up_to_date
from .thumbs import (
    GALLERY_DIR,
    THUMBS_JSON,
    State,
    load_json,
    load_renderer,
    preview,
    preview_state,
    previews,
)

INDEX = "index.html"
TEMPLATE = "gallery.html.j2"
STAMP_JS = "stamp.js"


# A card worked out ahead, with what it was made from besides the article: its outputs, and
# this build's errors about the article (their lines, and the formats that failed).
Ahead = tuple[Card, dict[Key, ManifestEntry], tuple[list[str], list[str]]]


@dataclass
class Draft:
    """The gallery worked out ahead of the end of a build, while nothing it shows of the articles
    not being built can change (pipeline/finish.py): their cards, each with the outputs and errors
    it was made from (used only while they are the same), previewed and keyed; the thumbnails'
    and the cards' stores as read; the template, compiled (or why it could not be)."""

    sources: Sources
    cards: dict[tuple[str, str, str], Ahead]  # by slug, clinic and edition
    previews: State
    verified: set[str]  # the cards whose thumbnails were found whole
    stored: dict[str, Any] | None = None  # None: not read yet
    template: Any = None  # None: not compiled yet


def draft_gallery(
    settings: Settings,
    registries: dict[str, Registry],
    entries: dict[Key, ManifestEntry],
    report: Any,
    sources: Sources,
    building: Collection[str],
    page: bool = True,
) -> Draft:
    """What ``write_gallery`` will need of every article but those ``building``, from ``entries``
    and ``report`` as they are now. With ``page``, what it needs to render the page too (the
    template, the cards' store, the picture renderer), which it does when the stamp changed."""
    cards = _cards(settings, registries, entries, report, sources, building=building)
    state, verified = preview_state(settings), set()
    for card, _mine, _failed in cards.values():
        card.stamp_row = stamp_row(card)
        if preview(settings, card, state[1]):
            verified.add(card.id)
        card.key = card_key(card)
    if not page:
        return Draft(sources, cards, state, verified)
    load_renderer()  # for the pictures of the handouts being built
    try:
        template: Any = _environment(settings).get_template(TEMPLATE)
    except Exception as exc:  # reported by write_gallery, as when it compiles it
        template = exc
    return Draft(sources, cards, state, verified, stored_cards(settings.build_dir), template)


def write_gallery(
    settings: Settings,
    registries: dict[str, Registry],
    entries: dict[Key, ManifestEntry],
    report: Any,
    sources: Sources,
    draft: Draft | None = None,
) -> None:
    """Write build/index.html (and its thumbnails and reload stamp). Call while holding the lock.
    What ``draft`` worked out is used where its inputs are still the same."""
    cards = [made[0] for made in _cards(settings, registries, entries, report, sources, draft=draft).values()]
    for card in cards:  # the stamp's line of each card, and a part of its key
        card.stamp_row = card.stamp_row or stamp_row(card)
    # The stamp changes whenever anything shown changes, so an open gallery knows to reload; when
    # it has not, nothing is rendered, read or written (thumbnails included).
    stamp = page_stamp(settings, cards, TEMPLATE)
    state = draft.previews if draft else preview_state(settings)
    verified = draft.verified if draft else set()
    thumbs, records = state
    remade = records != (thumbs.get("articles", {}) if thumbs.get("schema") == 1 else {})  # by the draft
    if not remade and up_to_date(settings, stamp, thumbs.get("articles", {}), INDEX, STAMP_JS, verified):
        return
    previews(settings, cards, state)
    try:
        template = _template(settings, draft)
    except Exception as exc:
        report.warnings.append(
            PublishError(f"build/{INDEX} not written: {exc}", path=settings.templates_dir / TEMPLATE)
        )
        return
    page = {
        "formats": list(REGISTRY),
        "brand": settings.brand,
        "clinics": sorted({c.brand for c in cards}, key=lambda b: (b != "default", b)),
        "editions": sorted({c.edition for c in cards}, key=lambda e: (e != "standard", e)),
        "stamp": stamp,
        "stamp_src": f"{GALLERY_DIR}/{STAMP_JS}",
        "failed": len({c.slug for c in cards if c.errors}),
        "built_at": _when(entries),
    }
    module: list[Any] = []  # the template's macros, made at the first card to render

    def render(card: Card) -> str:
        _read_text(settings, card)
        if not module:
            module.append(template.make_module({**page, "cards": [], "cards_html": {}}))
        return str(module[0].card_html(card))

    fingerprint = cards_fingerprint(settings, TEMPLATE, list(REGISTRY))
    made = rendered_cards(settings.build_dir, cards, fingerprint, render, draft.stored if draft else None)
    html = template.render(cards=cards, cards_html=made, **page)
    _write_if_changed(settings.build_dir / INDEX, html.encode("utf-8"))
    _write_if_changed(settings.build_dir / GALLERY_DIR / STAMP_JS, stamp_js(stamp).encode())


def _cards(
    settings: Settings,
    registries: dict[str, Registry],
    entries: dict[Key, ManifestEntry],
    report: Any,
    sources: Sources,
    building: Collection[str] = (),
    draft: Draft | None = None,
) -> dict[tuple[str, str, str], Ahead]:
    """Every card but those of the articles ``building``, with the outputs and errors it was made
    from; one of ``draft`` whose outputs and errors are still the same, as it was."""
    failures = errors_by_slug(settings, report, sources.paths)
    by_slug = entries_by_slug(entries)  # each card looks at its article's only
    out: dict[tuple[str, str, str], Ahead] = {}
    for path in sources.paths:
        slug = path.stem  # a property that parses the name: once a card, not five times
        if slug in building:
            continue
        mine, failed = by_slug.get(slug, {}), failures.get(slug, ([], []))
        for v in variants(slug, mine):
            ahead = draft.cards.get((slug, *v)) if draft else None
            if ahead is None or ahead[1] != mine or ahead[2] != failed:
                card = make_card(settings, registry_of(registries, v[0]), path, mine, sources, failures, v)
                ahead = (card, mine, failed)
            out[(slug, *v)] = ahead
    return out


def _template(settings: Settings, draft: Draft | None) -> Any:
    """The gallery's template, compiled (by the draft, when there is one); raises what compiling it raised."""
    if draft is None or draft.template is None:
        return _environment(settings).get_template(TEMPLATE)
    if isinstance(draft.template, Exception):
        raise draft.template
    return draft.template


def _read_text(settings: Settings, card: Card) -> None:
    """The card's inline text output, shown as is."""
    text = card.shown_as("inline-text")
    if text is not None:
        try:
            card.text = (settings.build_dir / text.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            card.text = ""


def _when(entries: dict[Key, ManifestEntry]) -> str:
    """When the newest output was built, as '2026-11-15 09:30 UTC' (ISO dates, like the manifest)."""
    latest = max((e.built_at for e in entries.values()), default="")
    return latest[:16].replace("T", " ") + " UTC" if latest.endswith("+00:00") else latest


def _environment(settings: Settings) -> Any:
    from ..kit.templating import make_environment

    return make_environment(settings.templates_dir)


def _write_if_changed(path: Path, data: bytes) -> None:
    try:
        if path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    write_atomic(path, data)


def made_by_gallery(build_dir: Path) -> list[Path]:
    """Every file the gallery wrote (for ``publish.py clean``): index, stamp, thumbnails and their list."""
    folder = build_dir / GALLERY_DIR
    names = [THUMBS_JSON, STAMP_JS, CARDS_JSON]
    for record in load_json(folder / THUMBS_JSON).get("articles", {}).values():
        if isinstance(record, dict):
            names.extend(str(n) for n in record.get("pages", []) if "/" not in str(n))
    return [build_dir / INDEX, *(folder / n for n in names)]
