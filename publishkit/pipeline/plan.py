"""The plan: every output a build asks for, as article × format × variant, each with its name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ConfigError
from ..formats import REGISTRY, Format
from ..model.article import Article
from ..model.settings import Settings
from ..model.variant import DEFAULT_BRAND, STANDARD, Variant


@dataclass(frozen=True)
class Job:
    """One output to make: its article, format and variant, and its file under build/."""

    article: Article
    format: str
    variant: Variant
    path: str  # relative to build/

    @property
    def manifest_key(self) -> tuple[str, str, str, str, str]:
        return manifest_key(self.article.slug, self.format, self.variant)

    @property
    def writer_prefix(self) -> str:
        """A unique prefix for this job's pandoc write jobs inside one batch."""
        v = self.variant
        return "\x1f".join((self.article.slug, self.format, v.brand, v.language, v.edition))


def manifest_key(slug: str, fmt: str, variant: Variant) -> tuple[str, str, str, str, str]:
    return (slug, fmt, variant.brand, variant.language, variant.edition)


def output_path(slug: str, renderer: Format, variant: Variant, article_language: str) -> str:
    """Where an output goes, relative to build/.

    The default clinic, the article's own language and the standard edition keep
    ``<slug>/<slug><suffix>``. Another clinic gets its own folder inside the article's
    (``<slug>/<brand>/``): a slug equal to a clinic id cannot collide with it. Another
    language adds ``.<lang>`` and another edition ``.<edition>`` before the suffix; slugs,
    clinic ids and edition names have no dots, and no edition name looks like a language tag.
    """
    folder = slug if variant.brand == DEFAULT_BRAND else f"{slug}/{variant.brand}"
    stem = slug
    if variant.language and variant.language != article_language:
        stem += f".{variant.language}"
    if variant.edition != STANDARD:
        stem += f".{variant.edition}"
    return f"{folder}/{stem}{renderer.suffix}"


def editions_for(settings: Settings, renderer: Format) -> tuple[str, ...]:
    """The editions the settings ask of a format: ``editions`` in the format's own settings
    section (``[tool.publish.<format>]``), limited to what the format can make."""
    section = getattr(settings, renderer.name, None)
    wanted: tuple[str, ...] = tuple(getattr(section, "editions", (STANDARD,)))
    if getattr(section, "large_print", False):  # the older setting: large print only
        wanted = ("large-print",)
    can = getattr(renderer, "editions", (STANDARD,))
    return tuple(e for e in wanted if e in can) or (STANDARD,)


def select_brands(settings: Settings, wanted: Sequence[str]) -> tuple[str, ...]:
    """Clinic ids to build: all of them, or those asked for with --brand (unknown ones refused)."""
    known = tuple(settings.brands)
    unknown = [b for b in wanted if b not in known]
    if unknown:
        raise ConfigError(
            f"no clinic '{unknown[0]}'. Clinics: {', '.join(known)} "
            "(the default clinic is [tool.publish.brand]; others are [tool.publish.brands.<id>])",
            path="pyproject.toml",
        )
    return tuple(b for b in known if not wanted or b in wanted)


def plan(
    settings: Settings,
    articles: Sequence[Article],
    formats: Sequence[str],
    brands: Sequence[str],
    editions: Sequence[str] = (),
) -> list[Job]:
    """Every job, in a stable order: article, format (registry order), clinic, edition.

    ``editions`` narrows the editions (``--edition``); empty means what the settings ask for."""
    jobs: list[Job] = []
    for article in articles:
        language = article.meta.language
        # A translation's outputs always add its language: x.es.pdf beside the original's x.pdf.
        own = "" if article.translates else language
        for fmt in formats:
            renderer = REGISTRY[fmt]
            wanted = editions_for(settings, renderer)
            if editions:
                can = getattr(renderer, "editions", (STANDARD,))
                wanted = tuple(e for e in editions if e in can)
            for brand in brands:
                for edition in wanted:
                    variant = Variant(brand, language, edition)
                    path = output_path(article.base_slug, renderer, variant, own)
                    jobs.append(Job(article, fmt, variant, path))
    return jobs


def configured(settings: Settings, fmt: str, variant: Variant) -> bool:
    """Whether this variant of a format can still be built (else its manifest entry is dropped):
    its format and clinic still exist and the format makes that edition."""
    renderer = REGISTRY.get(fmt)
    return (
        renderer is not None
        and variant.brand in settings.brands
        and variant.edition in getattr(renderer, "editions", (STANDARD,))
    )
