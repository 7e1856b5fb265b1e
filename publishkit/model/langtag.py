"""Language tags in file names: ``source/<slug>.<L>.md`` is the translation of ``<slug>.md`` into L."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import SourceError
from .yamlsafe import YamlDoc

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# BCP 47, the common shapes: language, optional script, optional region (en, en-US, zh-Hant-TW, es-419).
LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$")


def split_stem(stem: str) -> tuple[str, str]:
    """``("x", "es")`` for ``x.es``; ``("x", "")`` for an original. Not checked (see check_name)."""
    slug, _dot, tag = stem.partition(".")
    return slug, tag


def check_name(path: Path) -> tuple[str, str]:
    """The slug and the language tag (``""`` for an original) a file name gives, or a SourceError."""
    slug, tag = split_stem(path.stem)
    if not SLUG_RE.match(slug):
        raise SourceError(
            f"file name '{path.name}' is not a valid slug: use lower-case letters, digits and hyphens, "
            "e.g. ketamine-and-depression.md",
            path=path,
        )
    if "." in path.stem and not LANG_RE.match(tag):
        raise SourceError(
            f"file name '{path.name}': '{tag}' is not a language tag; a translation is named "
            f"<slug>.<language tag>.md, e.g. {slug}.es.md or {slug}.zh-Hant.md",
            path=path,
        )
    return slug, tag


def check_language(doc: YamlDoc, language: str, tag: str, path: Path) -> None:
    """A translation's front matter must say the language its file name gives."""
    data = doc.data if isinstance(doc.data, dict) else {}
    if "language" not in data:
        raise SourceError(
            f"a translation must say its language: add 'language: {tag}' to the front matter "
            f"(the file name {path.name} says {tag})",
            path=path,
            line=doc.first_line,
        )
    if language != tag:
        raise SourceError(
            f"'language' is {language} but the file name {path.name} says {tag}: they must be the same",
            path=path,
            line=doc.line_of("language"),
        )


def lookup(tag: str) -> list[str]:
    """RFC 4647 lookup order for ``tag``: ``zh-Hant-TW``, ``zh-Hant``, ``zh`` (never another language)."""
    parts = tag.split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


# Languages written right to left (their usual script: Arabic, Hebrew, Thaana, ...), by primary
# subtag; an explicit script subtag decides instead when there is one.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "iw", "ur", "ps", "yi", "ckb", "dv", "sd", "ug", "syr"})
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg"})


def direction(tag: str) -> str:
    """``"rtl"`` for a language written right to left, else ``"ltr"``."""
    parts = tag.split("-")
    scripts = [p for p in parts[1:] if len(p) == 4 and p.isalpha()]
    if scripts:
        return "rtl" if scripts[0].title() in RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0].lower() in RTL_LANGUAGES else "ltr"


def text_direction(text: str) -> str:
    """The direction of ``text`` by its first strong character (HTML's dir="auto", which
    WeasyPrint lacks): a clinic's English address inside an Arabic page stays left to right."""
    import unicodedata

    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"
