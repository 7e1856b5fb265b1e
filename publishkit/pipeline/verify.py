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
from ..kit.pandoc import read_many
from ..model.article import load_article
from ..model.settings import Settings
from .build import load_registries, slug_of
from .manifest import load_manifest


@dataclass(frozen=True)
class Problem:
    path: str
    message: str


def verify(settings: Settings, slugs: Sequence[str] = ()) -> tuple[int, list[Problem]]:
    """Return (outputs checked, problems). Nothing is written."""
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
    entries = [e for key, e in sorted(manifest.items()) if not wanted or key[0] in wanted]
    registries = load_registries(settings, [b for b in settings.brands if any(e.brand == b for e in entries)])
    texts = {t for r in registries.values() for d in r.entries for t in d.all_texts}
    parsed = read_many({str(n): text for n, text in enumerate(sorted(texts))}, settings.limits.pandoc_timeout)
    plain = {
        text: doctree.stringify(json.loads(parsed.values[str(n)])) for n, text in enumerate(sorted(texts))
    }
    problems: list[Problem] = []
    for entry in entries:
        rel = f"{settings.build}/{entry.path}"
        out = settings.build_dir / entry.path
        if not out.is_file():
            problems.append(Problem(rel, "missing: listed in the manifest but not in build/"))
            continue
        data = out.read_bytes()
        if sha256(data) != entry.sha256:
            problems.append(
                Problem(rel, "changed since it was built (sha256 differs from build/manifest.json)")
            )
        source = settings.source_dir / f"{entry.slug}.md"
        if entry.brand not in registries:
            problems.append(Problem(rel, f"built for clinic '{entry.brand}', which is no longer configured"))
            continue
        try:
            article = load_article(source, settings.limits)
            applying = registries[entry.brand].resolve(article)
        except PublishError as exc:
            problems.append(Problem(rel, f"its source can no longer be read: {exc.message}"))
            continue
        if article.sha256 != entry.source_sha256:
            problems.append(Problem(rel, f"out of date: source/{entry.slug}.md changed since it was built"))
        now = [d.id for d in applying]
        if now != list(entry.disclaimers):
            problems.append(
                Problem(rel, f"out of date: disclaimers now {now}, built with {list(entry.disclaimers)}")
            )
        renderer = REGISTRY.get(entry.format)
        if renderer is None:
            continue
        requirements = [Requirement(d.id, plain[d.text], d.short) for d in applying]
        try:
            name = entry.path.rsplit("/", 1)[-1]
            audit(
                name,
                READERS[renderer.reader].read(data),
                requirements,
                review_line(article),
                running=Running(settings.brands[entry.brand].name, article.meta.title),
                clinic=clinic_facts(settings, entry.brand),
            )
            check_edition(name, READERS[renderer.reader].body_pt, data, entry.edition)
            if READERS[renderer.reader].gate is not None:
                READERS[renderer.reader].gate(name, data)  # type: ignore[misc]
        except AuditError as exc:
            problems.append(Problem(rel, f"{exc.message}: it no longer carries the approved wording"))
        except Exception as exc:  # an unreadable file (truncated, not a PDF) is a problem, not a crash
            problems.append(Problem(rel, f"cannot be read as {entry.format}: {exc}"))
    return len(entries), problems
