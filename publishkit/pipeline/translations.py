"""What the build does with a translation: refuse a changed number, mark (or refuse) a stale one.

A stale translation is built with one more disclaimer, "Translated from the English version of
<date>": it is printed in every page footer and in the closing box like any other, so the audit
that proves every disclaimer in every format proves the mark too.
"""

from __future__ import annotations

from ..checks.translation import TranslationState, check_translation
from ..errors import PublishError
from ..model.article import Article
from ..model.langtag import lookup
from ..model.registry import Disclaimer
from ..model.settings import Settings

STALE_ID = "stale-translation"
# The tool's own words in the reader's language (English when it has none here yet).
_MARK = {
    "en": ("Translated from the English version of {date}", "The English version has changed since."),
    "es": (
        "Traducido de la versión en inglés del {date}",
        "La versión en inglés ha cambiado desde entonces.",
    ),
}
_UNRECORDED = {
    "en": "Translated from an earlier English version",
    "es": "Traducido de una versión anterior en inglés",
}


def stale_mark(language: str, state: TranslationState) -> Disclaimer:
    tag = next((t for t in lookup(language) if t in _MARK), "en")
    if state.since is None:
        short = _UNRECORDED[tag]
        text = short + "."
    else:
        head, tail = _MARK[tag]
        short = head.format(date=state.since.isoformat())
        text = f"{short}. {tail}"
    return Disclaimer(STALE_ID, text, short, "always")


def with_translation(
    settings: Settings, article: Article, applying: dict[str, tuple[Disclaimer, ...]], strict: bool
) -> dict[str, tuple[Disclaimer, ...]]:
    """Each clinic's disclaimers for a translation, with the stale mark when it is stale. Raises
    the first error (a changed number, a missing original) and, with ``strict``, staleness."""
    state = check_translation(article, settings.limits)
    blocking = [p for p in state.problems if p.level == "error" or (strict and state.stale)]
    if blocking:
        first = blocking[0]
        more = (
            f" (and {len(blocking) - 1} more: publish.py check {article.slug})" if len(blocking) > 1 else ""
        )
        raise PublishError(first.message + more, path=article.path, line=first.line, category="translation")
    if not state.stale:
        return applying
    mark = stale_mark(article.meta.language, state)
    return {brand: (*found, mark) for brand, found in applying.items()}
