"""The tool's own words in the reader's language: gettext catalogs under templates/locale/.

A catalog is ``templates/locale/<locale>/LC_MESSAGES/publishkit.po`` (Babel locale names:
``es``, ``zh_Hant``, ``ar``). It is compiled in memory when first needed, once per process and
file version: there is no compile step and no .mo file to forget. English is the source
language and needs no catalog; a language without one falls back to English for these labels.
"""

from __future__ import annotations

import gettext
import io
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..errors import PublishError

DOMAIN = "publishkit"
LOCALE_DIR = "locale"  # under templates/: the catalogs belong to the clinic, like the templates


def long_date(value: date) -> str:
    """'November 1, 2026': spelled out, so nobody misreads 01/11 as January or November."""
    return f"{value:%B} {value.day}, {value.year}"


def N_(message: str) -> str:
    """Marks a message for extraction where it is translated later (Babel's default keyword)."""
    return message


PAGE_LABEL = N_("Page {page} of {pages}")
_PLACEHOLDER = re.compile(r"\{(page|pages)\}")


class CatalogError(PublishError):
    category = "catalog"


def locale_names(language: str) -> list[str]:
    """Babel locale names to try for a BCP 47 tag, most specific first. A script the tag leaves
    out is Babel's likely one where the language is written in several (``zh-TW`` gives zh_Hant_TW,
    zh_TW, zh_Hant; ``zh`` gives zh_Hans, zh); a tag whose script is not the language's usual one
    never falls back to the bare language (Traditional Chinese never gets a ``zh`` catalog)."""
    parsed = _parsed(language)
    if parsed is None:
        return _spelled(language)
    lang, script, territory = parsed
    names = [f"{lang}_{script}_{territory}"] if script and territory else []
    usual = _likely_script(f"{lang}_{territory}") or _likely_script(lang)
    if territory and (not script or script == usual):
        names.append(f"{lang}_{territory}")  # zh_TW is Traditional; zh-Hans-HK never takes zh_HK
    names += [f"{lang}_{script}"] if script else []
    if not script or script == _likely_script(lang):
        names.append(lang)
    return names


def _spelled(language: str) -> list[str]:
    """The tag's own subtags in Babel's spelling, for a tag Babel does not know (``x-clinic``)."""
    parts = [p for p in language.replace("_", "-").split("-") if p]
    if not parts:
        return []
    norm = [parts[0].lower()]
    for part in parts[1:]:
        norm.append(part.title() if len(part) == 4 else part.upper() if len(part) <= 3 else part.lower())
    return ["_".join(norm[:n]) for n in range(len(norm), 0, -1)]


@lru_cache(maxsize=256)
def _parsed(language: str) -> tuple[str, str, str] | None:
    """(language, script, territory) by Babel, the script filled in from CLDR's likely subtags
    when the language has locales per script (zh, sr, pa, ...); None for a tag Babel does not know."""
    from babel import Locale, UnknownLocaleError
    from babel.localedata import locale_identifiers

    try:
        loc = Locale.parse(language.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError):
        return None
    script = loc.script or _likely_script(f"{loc.language}_{loc.territory}" if loc.territory else "")
    script = script or _likely_script(loc.language)
    if script and f"{loc.language}_{script}" not in locale_identifiers():
        script = ""  # written in one script (es is es, never es_Latn)
    return loc.language, script or "", loc.territory or ""


def _likely_script(name: str) -> str:
    from babel.core import get_global

    likely = str(get_global("likely_subtags").get(name, "")) if name else ""
    parts = likely.split("_")
    return parts[1] if len(parts) > 2 else ""


# English, alone or in a region (en, en-US, en_GB): what locale_names ends with "en" for, without
# a script to weigh, so without Babel (importing it and its likely subtags took 20 ms of a build).
_PLAIN_ENGLISH = re.compile(r"en(?:[-_][a-z]{2})?", re.IGNORECASE)


def is_english(language: str) -> bool:
    if _PLAIN_ENGLISH.fullmatch(language):
        return True
    return (locale_names(language) or ["en"])[-1] == "en"


def catalog_path(templates_dir: Path, locale: str) -> Path:
    return templates_dir / LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def find_catalog(templates_dir: Path, language: str) -> tuple[str, Path] | None:
    """(locale, .po path) of the language's catalog, falling back from a region to its language."""
    for name in locale_names(language):
        path = catalog_path(templates_dir, name)
        if path.is_file():
            return name, path
    return None


def missing_catalog(templates_dir: Path, language: str) -> CatalogError | None:
    """The warning for a language with no catalog (None for English or when one exists)."""
    if is_english(language) or find_catalog(templates_dir, language) is not None:
        return None
    locale = "_".join(locale_names(language)[:1]) or language
    wanted = catalog_path(templates_dir, locale)
    return CatalogError(
        f"no catalog for language '{language}': the tool's own words (page labels, dates, "
        f"headings) are in English in its outputs. Add one with: pybabel init -i "
        f"{templates_dir.name}/{LOCALE_DIR}/{DOMAIN}.pot -d {templates_dir.name}/{LOCALE_DIR} "
        f"-D {DOMAIN} -l {locale}",
        path=wanted,
    )


@dataclass(frozen=True)
class Translator:
    """gettext and dates for one language; English (the msgids themselves) without a catalog."""

    language: str
    locale: str = ""  # the catalog's Babel locale; "" for English and for a missing catalog
    catalog: Path | None = None
    translations: gettext.NullTranslations = field(default_factory=gettext.NullTranslations, compare=False)

    def gettext(self, message: str, /, **values: object) -> str:
        """The message in this language, with ``{name}`` placeholders filled from ``values``."""
        text = self.translations.gettext(message)
        return text.format(**values) if values else text

    def format_date(self, value: date) -> str:
        """'November 1, 2026' in English; Babel's long form otherwise ('1 de noviembre de 2026')."""
        if not self.locale:
            return long_date(value)
        from babel.dates import format_date

        return format_date(value, format="long", locale=self.locale)

    def page_label(self, page: int | str, pages: int | str) -> str:
        return self.gettext(PAGE_LABEL, page=page, pages=pages)

    def page_label_parts(self) -> list[str]:
        """The page label split around its counters: text, "{page}" or "{pages}", text, ..."""
        pieces = _PLACEHOLDER.split(self.gettext(PAGE_LABEL))
        return ["{" + p + "}" if i % 2 else p for i, p in enumerate(pieces) if p or i % 2]


ENGLISH = Translator("en")


def translator(templates_dir: Path, language: str) -> Translator:
    """The language's Translator, its catalog compiled once per process and file version."""
    found = None if is_english(language) else find_catalog(templates_dir, language)
    if found is None:
        return ENGLISH if is_english(language) else Translator(language)
    locale, path = found
    st = path.stat()
    key = (path.resolve(), st.st_mtime_ns, st.st_size)
    if key not in _COMPILED:
        _COMPILED[key] = compile_catalog(path, locale)
    return Translator(language, locale, path, _COMPILED[key])


_COMPILED: dict[tuple[Path, int, int], gettext.GNUTranslations] = {}


def compile_catalog(path: Path, locale: str) -> gettext.GNUTranslations:
    """The .po as gettext reads it, compiled in memory (fuzzy entries left out, as msgfmt does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale, abort_invalid=True)
    except (PoFileError, ValueError) as exc:
        raise CatalogError(f"cannot read the catalog: {exc}", path=path) from None
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string or the <style> element."""
    out = []
    for ch in text:
        if ch in '"\\<>' or ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def page_label_css(t: Translator) -> str:
    """The CSS ``content`` value of the PDF's page label: the catalog's words around counters."""
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(counters.get(p) or css_string(p) for p in t.page_label_parts())
