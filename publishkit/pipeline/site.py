"""The preview site after every build: the gallery, given what the pipeline knows."""

from __future__ import annotations

from collections.abc import Collection
from functools import partial
from typing import TYPE_CHECKING, Any

from ..checks.checkkey import content_key
from ..checks.runner import read_report
from ..model.manifest import Key, ManifestEntry
from ..model.registry import Registry
from ..model.settings import Settings
from .remember import SourceCache
from .sources import discover

if TYPE_CHECKING:
    from ..site.cardmodel import Sources
    from ..site.gallery import Draft


def write_site(
    settings: Settings,
    registries: dict[str, Registry],
    entries: dict[Key, ManifestEntry],
    report: Any,
    cache: SourceCache | None = None,
    draft: Draft | None = None,
) -> None:
    """build/index.html for ``entries``: every article in source/ with its check results.
    ``cache``, the build's, saves reading the articles again; ``draft`` is what ``draft_site``
    worked out ahead."""
    from ..site.gallery import write_gallery  # Jinja2 and the page pictures: only here

    sources = draft.sources if draft else _sources(settings, cache)
    write_gallery(settings, registries, entries, report, sources, draft)


def draft_site(
    settings: Settings,
    registries: dict[str, Registry],
    entries: dict[Key, ManifestEntry],
    report: Any,
    cache: SourceCache,
    building: Collection[str],
    checked: dict[str, Any] | None = None,
    page: bool = True,
) -> Draft:
    """The gallery of every article but those ``building``, worked out now for ``write_site``.
    ``checked``: build/check.json's articles, when the caller has them; ``page``: whether to
    prepare for rendering the page too (site/gallery.draft_gallery)."""
    from ..site.gallery import draft_gallery

    sources = _sources(settings, cache, checked)
    return draft_gallery(settings, registries, entries, report, sources, building, page)


def _sources(settings: Settings, cache: SourceCache | None, checked: dict[str, Any] | None = None) -> Sources:
    from ..site.cardmodel import Sources

    if checked is None:
        checked = read_report(settings.build_dir).get("articles", {})
    known = cache or SourceCache(settings)
    check_key = partial(content_key, settings)
    return Sources(discover(settings), checked or {}, check_key, known.load, known.resolve)
