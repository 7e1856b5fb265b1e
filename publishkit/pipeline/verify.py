"""`publish.py verify`: re-check build/ against the manifest and the current disclaimer registry."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from ..audit.bands import Running
from ..audit.core import Requirement, audit, check_edition, clinic_facts
from ..audit.readers import READERS
from ..errors import AuditError, PublishError
from ..formats import REGISTRY
from ..formats.context import review_line
from ..kit import doctree
from ..kit.fsutil import sha256
from ..kit.i18n import PAGE_LABEL, translator
from ..kit.pandoc import read_many
from ..model.approval import DRAFT_MARK, state_for
from ..model.article import Article, load_article
from ..model.langtag import direction
from ..model.manifest import ManifestEntry, load_manifest
from ..model.registry import Disclaimer, Registry
from ..model.settings import Settings
from .build import load_registries
from .sources import slug_of
from .translations import with_translation


@dataclass(frozen=True)
class Problem:
    path: str
    message: str


def verify(settings: Settings, slugs: Sequence[str] = ()) -> tuple[int, list[Problem]]:
    """Return (outputs checked, problems). Nothing is written."""
    entries = _selected(settings, slugs)
    registries = load_registries(settings, [b for b in settings.brands if any(e.brand == b for e in entries)])
    texts = sorted({t for r in registries.values() for d in r.entries for t in d.all_texts})
    parsed = read_many({str(n): text for n, text in enumerate(texts)}, settings.limits.pandoc_timeout)
    plain = {text: doctree.stringify(json.loads(parsed.values[str(n)])) for n, text in enumerate(texts)}
    articles: dict[str, Article | PublishError] = {}  # each source read once, not once per output
    problems: list[Problem] = []
    for entry in entries:
        problems += _check(settings, entry, registries, plain, articles)
    return len(entries), problems


def _selected(settings: Settings, slugs: Sequence[str]) -> list[ManifestEntry]:
    """The manifest's entries for the articles named (all when none is), refusing a name never built."""
    manifest = load_manifest(settings.build_dir)
    if not manifest:
        raise PublishError(
            "no build to verify: build/manifest.json is missing or unreadable; run publish.py all",
            path=settings.build_dir / "manifest.json",
            category="verify",
        )
    built = sorted({key[0] for key in manifest})
    wanted = {slug_of(settings, arg): arg for arg in slugs}
    for slug, arg in wanted.items():
        if slug not in built:  # verifying nothing is no "all good"
            raise PublishError(
                f"no build of '{arg}' to verify. Built articles: {', '.join(built)}", category="verify"
            )
    return [e for key, e in sorted(manifest.items()) if not wanted or key[0] in wanted]


def _article(settings: Settings, slug: str, cache: dict[str, Article | PublishError]) -> Article:
    if slug not in cache:
        try:
            cache[slug] = load_article(settings.source_dir / f"{slug}.md", settings.limits)
        except PublishError as exc:
            cache[slug] = exc
    found = cache[slug]
    if isinstance(found, PublishError):
        raise found
    return found


def _applying(
    settings: Settings,
    entry: ManifestEntry,
    registries: dict[str, Registry],
    articles: dict[str, Article | PublishError],
) -> tuple[Article, tuple[Disclaimer, ...]]:
    """The output's article and the disclaimers it must carry now, as the build finds them: a
    stale translation with its mark; a translation with a changed number is refused."""
    article = _article(settings, entry.slug, articles)
    applying = registries[entry.brand].resolve(article)
    if article.translates:
        applying = with_translation(settings, article, {entry.brand: applying}, False)[entry.brand]
    return article, applying


def _check(
    settings: Settings,
    entry: ManifestEntry,
    registries: dict[str, Registry],
    plain: dict[str, str],
    articles: dict[str, Article | PublishError],
) -> list[Problem]:
    """What is wrong with one output: gone, edited, out of date, or no longer carrying the wording."""
    rel = f"{settings.build}/{entry.path}"
    out = settings.build_dir / entry.path
    if not out.is_file():
        return [Problem(rel, "missing: listed in the manifest but not in build/")]
    data = out.read_bytes()
    problems = []
    if sha256(data) != entry.sha256:
        problems.append(Problem(rel, "changed since it was built (sha256 differs from build/manifest.json)"))
    if entry.brand not in registries:
        return [*problems, Problem(rel, f"built for clinic '{entry.brand}', which is no longer configured")]
    try:
        article, applying = _applying(settings, entry, registries, articles)
        required = settings.requires_approval(entry.brand)
        approval = state_for(settings.source_dir, entry.slug, article.path, entry.brand, applying, required)
    except PublishError as exc:
        why = (
            "refused now as a translation"
            if exc.category == "translation"
            else "its source can no longer be read"
        )
        return [*problems, Problem(rel, f"{why}: {exc.message}")]
    if article.sha256 != entry.source_sha256:
        problems.append(Problem(rel, f"out of date: source/{entry.slug}.md changed since it was built"))
    now = [d.id for d in applying]
    if now != list(entry.disclaimers):
        problems.append(
            Problem(rel, f"out of date: disclaimers now {now}, built with {list(entry.disclaimers)}")
        )
    renderer = REGISTRY.get(entry.format)
    if renderer is None:
        return problems
    _plain_of([d.text for d in applying], plain, settings.limits.pandoc_timeout)
    requirements = [Requirement(d.id, plain[d.text], d.short) for d in applying]
    try:
        name = entry.path.rsplit("/", 1)[-1]
        reader = READERS[renderer.reader]
        draft = DRAFT_MARK if approval.draft else ""
        t = translator(settings.templates_dir, article.meta.language)
        running = Running(settings.brands[entry.brand].name, article.meta.title, draft, t.gettext(PAGE_LABEL))
        clinic = clinic_facts(settings, entry.brand)
        line = approval.line_in(t) or review_line(article, t)
        rtl = direction(article.meta.language) == "rtl"
        audit(name, reader.read(data), requirements, line, running=running, clinic=clinic, rtl=rtl)
        check_edition(name, reader.body_pt, data, entry.edition)
        if reader.gate is not None:
            reader.gate(name, data)
    except AuditError as exc:
        problems.append(Problem(rel, f"{exc.message}: it no longer carries the approved wording"))
    except Exception as exc:  # an unreadable file (truncated, not a PDF) is a problem, not a crash
        problems.append(Problem(rel, f"cannot be read as {entry.format}: {exc}"))
    return problems


def _plain_of(texts: list[str], plain: dict[str, str], timeout: float) -> None:
    """Add to ``plain`` the text of wordings not in any registry (a stale translation's mark, which
    names a date), as the build reads them: one more pandoc only when there are some."""
    missing = sorted({t for t in texts if t not in plain})
    if missing:
        parsed = read_many({str(n): text for n, text in enumerate(missing)}, timeout)
        plain.update({t: doctree.stringify(json.loads(parsed.values[str(n)])) for n, t in enumerate(missing)})
