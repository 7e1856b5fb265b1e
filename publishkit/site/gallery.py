"""build/index.html: every article's outputs side by side, for people who judge by looking."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PublishError
from ..formats import REGISTRY
from ..kit.fsutil import write_atomic
from ..model.article import Article
from ..model.manifest import Key, ManifestEntry
from ..model.registry import Disclaimer, Registry
from ..model.settings import Settings
from .approvalcard import CardApproval, card_approval
from .cards import CARDS_JSON, card_key, rendered_cards, stored_cards
from .stamp import cards_fingerprint, page_stamp, stamp_js, stamp_row, up_to_date
from .thumbs import GALLERY_DIR, THUMBS_JSON, State, load_json, preview, preview_state, previews

INDEX = "index.html"
TEMPLATE = "gallery.html.j2"
STAMP_JS = "stamp.js"


@dataclass
class Card:
    """What the gallery shows for one article."""

    slug: str
    title: str
    brand: str = "default"  # the clinic this card shows
    edition: str = "standard"
    readable: bool = True  # the source could be read this time
    summary: str = ""
    audience: str = ""
    reviewed: str = ""
    outputs: dict[str, ManifestEntry] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    failed_formats: list[str] = field(default_factory=list)
    thumbs: list[str] = field(default_factory=list)
    thumb_note: str = ""
    text: str = ""
    check: dict[str, Any] | None = None
    check_stale: bool = False
    claims: int = 0
    disclaimers: list[tuple[str, str, dict[str, bool | None]]] = field(default_factory=list)
    approval: CardApproval = field(default_factory=CardApproval)
    # Worked out ahead (``draft_gallery``), while nothing the card shows could change; until
    # then "" and False.
    stamp_row: str = ""
    key: str = ""
    previewed: bool = False

    @property
    def id(self) -> str:
        """The card's anchor and thumbnail name: slugs have no double hyphen, so this is unique."""
        parts = [p for p in (self.brand, self.edition) if p not in ("default", "standard")]
        return "--".join([self.slug, *parts])

    @property
    def variant(self) -> str:
        return ", ".join(p for p in (self.brand, self.edition) if p not in ("default", "standard"))

    def href(self, fmt: str) -> str:
        entry = self.outputs.get(fmt)
        return entry.path if entry else ""

    def shown_as(self, preview: str) -> ManifestEntry | None:
        """The first output whose format the gallery previews as ``preview`` (its declaration)."""
        return next((e for f, e in self.outputs.items() if REGISTRY[f].preview == preview), None)


@dataclass(frozen=True)
class Sources:
    """What the gallery shows beside the manifest, handed in by the pipeline: the articles in
    source/, build/check.json's entries, and the key a check result of an article has today."""

    paths: list[Path]
    checked: dict[str, Any]
    check_key: Callable[[Article], str]
    # The build's own reading of each article (an unchanged file is not read again) and of the
    # disclaimers that apply to it.
    load: Callable[[Path], Article]
    resolve: Callable[[Registry, Article], Sequence[Disclaimer]]


def _check_of(sources: Sources, article: Article | None) -> tuple[Any, bool]:
    """This article's entry in build/check.json, and whether the article changed since."""
    entry = sources.checked.get(article.slug) if article else None
    if not isinstance(entry, dict) or article is None or not {"review", "readability"} <= entry.keys():
        return None, False
    return entry, entry.get("key") != sources.check_key(article)


def _errors_by_slug(settings: Settings, report: Any) -> dict[str, tuple[list[str], list[str]]]:
    """This build's errors per article, worded as the command line words them."""
    from ..errors import format_error

    out: dict[str, tuple[list[str], list[str]]] = {}
    by_path = {str(p): p.stem for p in settings.source_dir.glob("*.md")}

    def add(slug: str, exc: PublishError, fmt: str | None = None) -> None:
        lines, formats = out.setdefault(slug, ([], []))
        line = format_error(exc, settings.root)
        if line not in lines:
            lines.append(line)
        if fmt and fmt not in formats:
            formats.append(fmt)

    for exc in report.errors:
        slug = by_path.get(exc.path or "") or Path(exc.path or "").stem
        add(slug, exc)
    for outcome in report.outcomes:
        if outcome.status == "failed" and outcome.error is not None:
            add(outcome.slug, outcome.error, outcome.format)
    return out


def _variants(slug: str, entries: dict[Key, ManifestEntry]) -> list[tuple[str, str]]:
    """The (clinic, edition) pairs an article has outputs for; the default one always."""
    pairs = {("default", "standard")} | {(k[2], k[4]) for k in entries if k[0] == slug}
    return sorted(pairs, key=lambda p: (p[0] != "default", p[0], p[1] != "standard", p[1]))


def _card(
    settings: Settings,
    registry: Registry,
    path: Path,
    entries: dict[Key, ManifestEntry],
    sources: Sources,
    failures: dict[str, tuple[list[str], list[str]]],
    variant: tuple[str, str] = ("default", "standard"),
) -> Card:
    slug = path.stem
    article: Article | None = None
    try:
        article = sources.load(path)
        applying = [d.id for d in sources.resolve(registry, article)]
    except PublishError:
        applying = []  # the build reported why; it is in failures
    brand, edition = variant
    title = article.meta.title if article else slug
    card = Card(slug=slug, title=title, brand=brand, edition=edition, readable=article is not None)
    if article is not None:
        meta = article.meta
        card.summary, card.audience, card.reviewed = meta.summary, meta.audience, meta.reviewed.isoformat()
    card.outputs = {
        k[1]: e for k, e in sorted(entries.items()) if k[0] == slug and k[2] == brand and k[4] == edition
    }
    card.errors, card.failed_formats = failures.get(slug, ([], []))
    card.approval = card_approval(settings, slug, brand, card.outputs)
    card.check, card.check_stale = _check_of(sources, article)
    if card.check:
        card.claims = sum(1 for f in card.check.get("findings", []) if f.get("check") == "claims")
    ids = list(applying)
    for entry in card.outputs.values():
        ids.extend(i for i in entry.disclaimers if i not in ids)
    for id_ in ids:
        found = registry.get(id_)
        cells: dict[str, bool | None] = {
            fmt: (id_ in card.outputs[fmt].disclaimers) if fmt in card.outputs else None for fmt in REGISTRY
        }
        card.disclaimers.append((id_, found.short if found else "(no longer in the registry)", cells))
    return card


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
    stored: dict[str, Any]
    template: Any


def draft_gallery(
    settings: Settings,
    registries: dict[str, Registry],
    entries: dict[Key, ManifestEntry],
    report: Any,
    sources: Sources,
    building: Collection[str],
) -> Draft:
    """What ``write_gallery`` will need of every article but those ``building``, from ``entries``
    and ``report`` as they are now."""
    failures = _errors_by_slug(settings, report)
    by_slug = _by_slug(entries)
    cards: dict[tuple[str, str, str], Ahead] = {}
    for path in sources.paths:
        if path.stem not in building:
            mine, failed = by_slug.get(path.stem, {}), failures.get(path.stem, ([], []))
            for v in _variants(path.stem, mine):
                card = _card(settings, _registry(registries, v[0]), path, mine, sources, failures, v)
                cards[(path.stem, *v)] = (card, mine, failed)
    state, verified = preview_state(settings), set()
    for card, _mine, _failed in cards.values():
        card.stamp_row = stamp_row(card)
        if preview(settings, card, state[1]):
            verified.add(card.id)
        card.key = card_key(card)
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
    failures = _errors_by_slug(settings, report)
    by_slug = _by_slug(entries)  # each card looks at its article's only
    cards: list[Card] = []
    for path in sources.paths:
        mine, failed = by_slug.get(path.stem, {}), failures.get(path.stem, ([], []))
        for v in _variants(path.stem, mine):
            ahead = draft.cards.get((path.stem, *v)) if draft else None
            if ahead is not None and ahead[1] == mine and ahead[2] == failed:
                cards.append(ahead[0])
            else:
                cards.append(_card(settings, _registry(registries, v[0]), path, mine, sources, failures, v))
    # The stamp changes whenever anything shown changes, so an open gallery knows to reload; when
    # it has not, nothing is rendered, read or written (thumbnails included).
    stamp = page_stamp(settings, cards, TEMPLATE)
    state = draft.previews if draft else preview_state(settings)
    verified = draft.verified if draft else set()
    if up_to_date(settings, stamp, state[0].get("articles", {}), INDEX, STAMP_JS, verified):
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


def _by_slug(entries: dict[Key, ManifestEntry]) -> dict[str, dict[Key, ManifestEntry]]:
    by_slug: dict[str, dict[Key, ManifestEntry]] = {}
    for key, entry in entries.items():
        by_slug.setdefault(key[0], {})[key] = entry
    return by_slug


def _registry(registries: dict[str, Registry], brand: str) -> Registry:
    """The clinic's registry; the first one for a clinic no longer configured."""
    return registries[brand] if brand in registries else next(iter(registries.values()))


def _template(settings: Settings, draft: Draft | None) -> Any:
    """The gallery's template, compiled (by the draft, when there is one); raises what compiling it raised."""
    if draft is None:
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
