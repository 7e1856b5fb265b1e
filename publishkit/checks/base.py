"""What a content check is: the levels, a Finding, what a check is given, and the Check class."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from ..kit.doctree import AST
    from ..model.article import Article
    from ..model.review import ReviewStatus
    from ..model.settings import Settings
    from .prose import Document

ERROR, WARNING, INFO = "error", "warning", "info"
LEVEL_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Finding:
    level: str  # error | warning | info
    # What was found: readability, review, claims, headings, images, links, opening, source,
    # placeholder, time-limit, or an added check's own word.
    check: str
    line: int | None  # line in the source file
    message: str
    id: str = ""  # the claim's name, for claims
    sentence: str = ""
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None) or k == "line"}


@dataclass(frozen=True)
class Content:
    """What a check of the article's content sees. Its findings are kept in check.json and reused
    while the article, the settings and the checking code stay the same: no clock in here."""

    settings: Settings
    article: Article
    ast: AST  # pandoc's AST of the body, with source positions
    doc: Document  # the body read as units of prose, by section
    scores: dict[str, Any]  # readability measures: grade, smog, words, minutes, sections
    to_file: int  # add to a body line to get the file line


@dataclass(frozen=True)
class Dated:
    """What a check judged afresh every run sees: the build's date and the review status."""

    settings: Settings
    article: Article
    today: date
    review: ReviewStatus
    strict: bool
    approved_by: str = ""  # when the review date is that of an approval (publish.py approve), by whom


class Check:
    """A content check. Subclasses set ``name`` and override one hook or both.

    ``content`` may only look at the article and the settings (its findings are cached);
    ``dated`` runs every time, without the AST, and its findings carry ``check=name`` so that
    they are never mistaken for cached ones. Registered in ``publishkit.checks``."""

    name: ClassVar[str]
    # True when ``dated`` makes findings: they are judged afresh, never taken from check.json.
    each_run: ClassVar[bool] = False

    def content(self, c: Content) -> list[Finding]:
        return []

    def dated(self, d: Dated) -> list[Finding]:
        return []
