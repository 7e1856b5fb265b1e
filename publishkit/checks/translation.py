"""The checks of a translation against its original: numbers kept, and not stale.

Both compare sections by position (headings are translated, so their text cannot pair them):
every number in digits in section N of the original must be in section N of the translation
(an error naming both lines, stale or not); a section of the original that changed since the
translation's record is a warning (``--strict`` refuses it) naming its heading, line and the
old and new English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import PublishError
from ..model.article import Article, load_article
from ..model.numbers import Mismatch, compare, numbers
from ..model.settings import Limits
from ..model.translation import Section, changes, load_record, original_path, sections
from .base import ERROR, WARNING, Check, Dated, Finding


@dataclass(frozen=True)
class Problem:
    level: str
    line: int | None
    message: str


@dataclass
class TranslationState:
    problems: list[Problem] = field(default_factory=list)
    stale: bool = False
    since: date | None = None  # the date of the original it was translated from (None: unrecorded)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]


def check_translation(article: Article, limits: Limits) -> TranslationState:
    """Everything wrong with ``article`` (a translation) as a translation of its original."""
    state = TranslationState()
    src = original_path(article)
    if not src.is_file():
        msg = f"a translation of {src.name}, which does not exist in {src.parent.name}/"
        state.problems.append(Problem(ERROR, 1, msg + f": name it <slug>.{article.meta.language}.md"))
        return state
    try:
        original = load_article(src, limits)
    except PublishError as exc:
        state.problems.append(Problem(ERROR, 1, f"cannot be checked: its original has a problem ({exc})"))
        return state
    if original.meta.language == article.meta.language:
        msg = f"the translation's language is its original's ({src.name} is {original.meta.language})"
        state.problems.append(Problem(ERROR, 1, msg))
        return state
    state.problems += _number_problems(article, original)
    try:
        record = load_record(article, limits)
    except PublishError as exc:
        state.problems.append(Problem(ERROR, 1, str(exc)))
        return state
    rel = _rel(src)
    if record is None:
        state.stale = True
        msg = (
            f"no record of which version of {src.name} this translates: once it is up to date, run "
            f"publish.py translated {article.slug}"
        )
        state.problems.append(Problem(WARNING, 1, msg))
        return state
    state.since = record.translated_on
    mine = sections(article)
    theirs = sections(original)
    for change in changes(record, original):
        state.stale = True
        index = theirs.index(change.new) if change.new in theirs else None
        line = mine[index].line if index is not None and index < len(mine) else 1
        state.problems.append(Problem(WARNING, line, change.describe(rel, record.translated_on)))
    return state


def _rel(path: Path) -> Path:
    return Path(path.parent.name) / path.name


def _number_problems(article: Article, original: Article) -> list[Problem]:
    mine, theirs = sections(article), sections(original)
    rel = _rel(original.path).as_posix()
    if len(mine) != len(theirs):
        return [
            Problem(
                ERROR,
                mine[-1].line if mine else 1,
                f"has {len(mine)} sections but {rel} has {len(theirs)}: sections (the opening, then one "
                "per heading) are compared in order, so numbers cannot be checked until they match",
            )
        ]
    out = []
    for ours, orig in zip(mine, theirs, strict=True):
        found = numbers(ours.text, ours.line, article.meta.language, translation=True)
        wanted = numbers(orig.text, orig.line, original.meta.language, translation=False)
        out += [_mismatch(m, ours, orig, rel) for m in compare(wanted, found)]
    return out


def _mismatch(m: Mismatch, ours: Section, orig: Section, rel: str) -> Problem:
    name = f'"{orig.title}"' if orig.heading else "the opening"
    if m.source is not None and m.translation is not None:
        where = f"{rel}:{m.source.line} has {m.source.raw}"
        msg = f"number {m.translation.raw} here, where {where} (section {name})"
        return Problem(ERROR, m.translation.line, msg)
    if m.source is not None:
        msg = (
            f"number {m.source.raw} of {rel}:{m.source.line} is missing from this section ({name}); "
            "write every number in digits"
        )
        return Problem(ERROR, ours.line, msg)
    assert m.translation is not None
    msg = f"number {m.translation.raw} here is not in {rel}:{orig.line} (section {name})"
    return Problem(ERROR, m.translation.line, msg)


class Translation(Check):
    """A translation against its original and its record: judged afresh every run, as it depends
    on other files than the article's own."""

    name = "translation"
    each_run = True

    def dated(self, d: Dated) -> list[Finding]:
        if not d.article.translates:
            return []
        state = check_translation(d.article, d.settings.limits)
        return [Finding(p.level, self.name, p.line, p.message) for p in state.problems]
