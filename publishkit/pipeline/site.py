"""The preview site after every build: the gallery, given what the pipeline knows."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from ..checks.checkkey import content_key
from ..checks.runner import CHECK_JSON
from ..model.manifest import Key, ManifestEntry
from ..model.registry import Registry
from ..model.settings import Settings
from .remember import SourceCache
from .sources import discover


def write_site(
    settings: Settings,
    registries: dict[str, Registry],
    entries: dict[Key, ManifestEntry],
    report: Any,
    cache: SourceCache | None = None,
) -> None:
    """build/index.html for ``entries``: every article in source/ with its check results.
    ``cache``, the build's, saves reading the articles again."""
    from ..site.gallery import Sources, write_gallery  # Jinja2 and the page pictures: only here

    try:
        data = json.loads((settings.build_dir / CHECK_JSON).read_text(encoding="utf-8"))
        checked = data.get("articles", {}) if isinstance(data, dict) else {}
    except (FileNotFoundError, ValueError):
        checked = {}
    known = cache or SourceCache(settings)
    sources = Sources(discover(settings), checked, partial(content_key, settings), known.load, known.resolve)
    write_gallery(settings, registries, entries, report, sources)
