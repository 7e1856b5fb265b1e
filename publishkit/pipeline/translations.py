"""What the build does with a translation: refuse a changed number, mark (or refuse) a stale one.

A stale translation is built with one more disclaimer, "Translated from the English version of
<date>": it is printed in every page footer and in the closing box like any other, so the audit
that proves every disclaimer in every format proves the mark too.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..checks.translation import TranslationState, check_translation
from ..errors import PublishError
from ..kit.i18n import Translator, missing_catalog, translator
from ..model.article import Article
from ..model.registry import Disclaimer
from ..model.settings import Settings
from .plan import Job

STALE_ID = "stale-translation"


def stale_mark(t: Translator, state: TranslationState) -> Disclaimer:
    """The mark in the reader's language (templates/locale/; English where it has no catalog)."""
    if state.since is None:
        short = t.gettext("Translated from an earlier English version")
        text = t.gettext("{mark}.", mark=short)
    else:
        # The language's long date, as "Last reviewed" prints it: a reader cannot misread it.
        short = t.gettext("Translated from the English version of {date}", date=t.format_date(state.since))
        text = t.gettext("{mark}. The English version has changed since.", mark=short)
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
    mark = stale_mark(translator(settings.templates_dir, article.meta.language), state)
    return {brand: (*found, mark) for brand, found in applying.items()}


def catalog_warnings(settings: Settings, planned: Sequence[Job]) -> list[PublishError]:
    """One warning per language of this build with no catalog for the tool's own words."""
    languages = sorted({job.article.meta.language for job in planned})
    return [w for lang in languages if (w := missing_catalog(settings.templates_dir, lang)) is not None]
