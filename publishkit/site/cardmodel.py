"""A gallery card: what build/index.html shows of one article in one clinic and edition, made
from what the build knows of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PublishError
from ..formats import REGISTRY
from ..model.article import Article
from ..model.manifest import Key, ManifestEntry
from ..model.registry import Disclaimer, Registry
from ..model.settings import Settings
from .approvalcard import CardApproval, card_approval


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


def check_of(sources: Sources, article: Article | None) -> tuple[Any, bool]:
    """This article's entry in build/check.json, and whether the article changed since."""
    entry = sources.checked.get(article.slug) if article else None
    if not isinstance(entry, dict) or article is None or not {"review", "readability"} <= entry.keys():
        return None, False
    return entry, entry.get("key") != sources.check_key(article)


def errors_by_slug(
    settings: Settings, report: Any, paths: Sequence[Path]
) -> dict[str, tuple[list[str], list[str]]]:
    """This build's errors per article (of those at ``paths``), worded as the command line words them."""
    from ..errors import format_error

    out: dict[str, tuple[list[str], list[str]]] = {}
    by_path = {str(p): p.stem for p in paths}

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


def variants(slug: str, entries: dict[Key, ManifestEntry]) -> list[tuple[str, str]]:
    """The (clinic, edition) pairs an article has outputs for; the default one always."""
    pairs = {("default", "standard")} | {(k[2], k[4]) for k in entries if k[0] == slug}
    return sorted(pairs, key=lambda p: (p[0] != "default", p[0], p[1] != "standard", p[1]))


def make_card(
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
    card.check, card.check_stale = check_of(sources, article)
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


def entries_by_slug(entries: dict[Key, ManifestEntry]) -> dict[str, dict[Key, ManifestEntry]]:
    """The manifest's entries of each article: each card looks at its own article's only."""
    by_slug: dict[str, dict[Key, ManifestEntry]] = {}
    for key, entry in entries.items():
        by_slug.setdefault(key[0], {})[key] = entry
    return by_slug


def registry_of(registries: dict[str, Registry], brand: str) -> Registry:
    """The clinic's registry; the first one for a clinic no longer configured."""
    return registries[brand] if brand in registries else next(iter(registries.values()))
