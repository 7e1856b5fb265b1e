"""What a renderer gets: one frozen RenderContext per article, built once by the build."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..kit.doctree import AST
from ..kit.i18n import ENGLISH, Translator, translator
from ..model.approval import DRAFT_MARK, UNAPPROVED, ApprovalState
from ..model.article import Article
from ..model.langtag import direction, text_direction
from ..model.registry import Disclaimer
from ..model.review import ReviewStatus, review_status
from ..model.settings import Brand, Settings
from ..model.taglines import Tagline
from ..model.variant import Variant

if TYPE_CHECKING:
    from jinja2 import Environment


@dataclass(frozen=True)
class Body:
    """The article body prepared for one format: its AST and what pandoc wrote from it."""

    ast: AST
    outputs: Mapping[str, Any]  # writer name ("html5", "plain", "docx") -> str or bytes
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DisclaimerText:
    """One applying disclaimer, ready for every kind of output."""

    entry: Disclaimer
    html: str  # the full text as an HTML fragment
    plain: str  # the full text as plain text, wrapped at 72 columns
    ast: list[dict[str, Any]]  # the full text as pandoc blocks (for DOCX)

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def short(self) -> str:
        return self.entry.short


@dataclass(frozen=True)
class RenderContext:
    article: Article
    disclaimers: tuple[DisclaimerText, ...]
    settings: Settings
    built_at: datetime
    env: Environment
    bodies: Mapping[str, Body]  # keyed by renderer name
    variant: Variant
    brand: Brand  # the variant's clinic: its name, address, phone, colour, logo, email identity
    approval: ApprovalState = UNAPPROVED  # matching approval, or draft (source/approvals/)

    @property
    def t(self) -> Translator:
        """The tool's own words and dates in the article's language (kit/i18n.py)."""
        return translator(self.settings.templates_dir, self.article.meta.language)

    @property
    def review_line(self) -> str:
        """The review line every output must carry (the audit looks for it): who approved the
        content and when, where an approval matches it."""
        return self.approval.line_in(self.t) or review_line(self.article, self.t)

    @property
    def review_status(self) -> ReviewStatus:
        """Review state by the build clock; ``.overdue`` means outputs must show ``.mark``."""
        checks = self.settings.checks
        reviewed = self.approval.reviewed(self.article.meta.reviewed)
        status = review_status(
            reviewed, self.built_at.date(), checks.review_every_months, checks.due_soon_days
        )
        return replace(status, t=self.t)

    @property
    def reference(self) -> str:
        """The machine reference (with the approval's short hash): an identifier, English in every
        language, where a program reads it (the .eml's X- header, metadata, the HTML meta tag)."""
        line = reference_line(self.article)
        return f"{line} · approval {self.approval.short}" if self.approval.approved else line

    @property
    def reference_shown(self) -> str:
        """The reference as a reader sees it at the end of every output: its words from the catalog
        ("Ref. dose.es · fuente ..."), the slug, hashes and ISO date as they are."""
        return reference_line(self.article, self.t, self.approval.short if self.approval.approved else "")

    @property
    def taglines(self) -> tuple[Tagline, ...]:
        """The clinic's language-access taglines, in its order (each line in its own language)."""
        return self.settings.taglines.pick(self.brand.taglines)

    def template_vars(self) -> dict[str, Any]:
        meta = self.article.meta
        return {
            "meta": meta,
            "slug": self.article.slug,
            "brand": self.brand,
            "disclaimers": self.disclaimers,
            "review_line": self.review_line,
            "review_status": self.review_status,
            "reference": self.reference,
            "reference_shown": self.reference_shown,
            "built_at": self.built_at,
            "approval": self.approval,
            "draft_mark": DRAFT_MARK if self.approval.draft else "",
            "direction": direction(meta.language),  # "rtl" for Arabic, Persian, Hebrew, ...
            "taglines": self.taglines,  # Tagline: .lang, .dir, .name, .parts(phone)
            "brand_dir": text_direction(self.brand.name + self.brand.address),  # the clinic's own words
        }


def review_line(article: Article, t: Translator = ENGLISH) -> str:
    meta = article.meta
    day = t.format_date(meta.reviewed)
    if meta.reviewer:
        return t.gettext("Last reviewed {date} by {reviewer}", date=day, reviewer=meta.reviewer)
    return t.gettext("Last reviewed {date}", date=day)


def reference_line(article: Article, t: Translator = ENGLISH, approval: str = "") -> str:
    """'Ref <slug> · source <hash> · reviewed <ISO date>[ · approval <hash>]', its words in ``t``'s
    language; the date stays ISO: it names a version, and staff search for it."""
    day = article.meta.reviewed.isoformat()
    if direction(t.language) == "rtl":
        # A left-to-right mark first: after Arabic words, 2026-11-01 would read as Arabic numbers
        # apart and show as 01-11-2026 (Unicode bidi rules W2, W4).
        day = "\u200e" + day
    values = {"slug": article.slug, "source": article.short_hash, "date": day}
    if approval:
        return t.gettext(
            "Ref {slug} · source {source} · reviewed {date} · approval {approval}",
            approval=approval,
            **values,
        )
    return t.gettext("Ref {slug} · source {source} · reviewed {date}", **values)
