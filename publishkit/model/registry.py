"""The disclaimer registry, and resolve(): the ONLY place that decides which disclaimers apply."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import RegistryError
from ..kit.statmemo import StatMemo
from .article import Article
from .langtag import LANG_RE, lookup
from .settings import Limits
from .sourcefile import decode_strict, read_source
from .yamlsafe import YamlDoc, load_yaml

APPLIES = ("always", "when-mentioned", "on-request")
ENTRY_KEYS = ("id", "text", "short", "applies", "match")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


Wording = tuple[tuple[str, str], ...]  # (language tag, text), in the registry's order


@dataclass(frozen=True)
class Disclaimer:
    id: str
    text: str  # full approved wording, Markdown, in ``language``
    short: str  # one line for page footers, in ``language``
    applies: str
    match: str = ""
    line: int = 0  # line of 'text' in the registry, for errors about the wording
    language: str = "en"
    # Every language's wording as the registry gives it (a plain string is English's).
    texts: Wording = ()
    shorts: Wording = ()
    matches_by: Wording = ()

    def matches(self, body: str) -> bool:
        return re.search(self.match, body, re.IGNORECASE) is not None

    @property
    def key(self) -> str:
        """Names this wording (id, language and text): converted once, whatever its language."""
        digest = hashlib.sha256(f"{self.text}\0{self.short}".encode()).hexdigest()[:12]
        return f"{self.id}.{self.language}.{digest}"

    @property
    def all_texts(self) -> tuple[str, ...]:
        return tuple(t for _lang, t in self.texts) or (self.text,)

    def pattern_for(self, language: str) -> str:
        """``match`` in ``language``; a language without its own uses the default (English) one."""
        return _pick(self.matches_by, language) or _pick(self.matches_by, "en") or self.match

    def in_language(self, language: str, registry: Path) -> Disclaimer:
        """This disclaimer worded for ``language`` (or its base: es for es-MX); never another
        language's wording in its place: a missing one is a RegistryError naming both."""
        if not self.texts:  # made in code (the stale mark): already in its language
            return self
        text, short = _pick(self.texts, language), _pick(self.shorts, language)
        if text is None or short is None:
            which = "text" if text is None else "short"
            raise RegistryError(
                f"disclaimer '{self.id}' applies but has no {which} in {language}: add "
                f"'{language}: ...' under its {which} (an output never falls back to another language)",
                path=registry,
                line=self.line,
            )
        found = next(t for t in lookup(language) if t in dict(self.texts))
        return replace(self, text=text, short=short, match=self.pattern_for(language), language=found)


def _pick(wording: Wording, language: str) -> str | None:
    table = dict(wording)
    return next((table[t] for t in lookup(language) if t in table), None)


@dataclass(frozen=True)
class Registry:
    path: Path
    entries: tuple[Disclaimer, ...]
    sha256: str

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.entries)

    def get(self, id_: str) -> Disclaimer | None:
        return next((d for d in self.entries if d.id == id_), None)

    def resolve(self, article: Article) -> tuple[Disclaimer, ...]:
        """The disclaimers that apply to ``article``, in registry order.

        ``always`` entries always; ``when-mentioned`` when their pattern occurs in the body;
        ``on-request`` when the article names the id under ``disclaimers``.
        """
        requested = set(article.meta.disclaimers)
        unknown = sorted(requested - set(self.ids))
        if unknown:
            raise RegistryError(
                f"unknown disclaimer id '{unknown[0][:60]}'. Known ids: {', '.join(self.ids)}",
                path=article.path,
                line=article.line_of_key("disclaimers", article.meta.disclaimers.index(unknown[0])),
            )
        chosen = []
        lang = article.meta.language
        for entry in self.entries:
            mentioned = entry.applies == "when-mentioned" and re.search(
                entry.pattern_for(lang), article.body, re.IGNORECASE
            )
            if entry.applies == "always" or mentioned or entry.id in requested:
                chosen.append(entry.in_language(lang, self.path))
        return tuple(chosen)


def _str(entry: dict[str, Any], key: str, where: str, path: Path, line: int) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RegistryError(f"{where}: '{key}' must be non-empty text", path=path, line=line)
    return value.strip()


def _read(path: Path, missing: str, max_bytes: int) -> tuple[bytes, YamlDoc]:
    """The registry file's bytes and its YAML, read safely (a real file in source/, at most
    ``max_bytes``): a non-empty list of entries."""
    try:
        raw = read_source(path, max_bytes, RegistryError, "the disclaimer registry")
    except FileNotFoundError:
        raise RegistryError(missing, path=path) from None
    doc = load_yaml(decode_strict(raw, path), path=path, first_line=1, error=RegistryError)
    if not isinstance(doc.data, list) or not doc.data:
        raise RegistryError("must be a list of entries, each starting with '- id: ...'", path=path, line=1)
    return raw, doc


def _entry(doc: YamlDoc, i: int, path: Path, base: Disclaimer | None = None) -> Disclaimer:
    """Entry ``i`` of ``doc``, checked. With ``base`` (a clinic's registry naming a shared id)
    the keys it leaves out keep the shared entry's values."""
    item, line = doc.entry(i, ENTRY_KEYS, path, RegistryError), doc.line_of(i)
    id_ = _str(item, "id", f"entry {i + 1}", path, line)
    if not ID_RE.match(id_):
        raise RegistryError(
            f"id '{id_}' must be lower-case letters, digits and hyphens", path=path, line=line
        )
    if base is not None:
        # A key the clinic gives replaces every language's wording of it: a clinic that rewords the
        # English must reword (or drop) the translations too, never inherit ones that no longer match.
        inherited: dict[str, Any] = {
            "text": dict(base.texts),
            "short": dict(base.shorts),
            "applies": base.applies,
        }
        if base.applies == "when-mentioned" and item.get("applies", base.applies) == base.applies:
            inherited["match"] = dict(base.matches_by)
        item = {**inherited, **item}
    texts = _wording(item, "text", id_, doc, i, path)
    shorts = _wording(item, "short", id_, doc, i, path)
    for _lang, short in shorts:
        if "\n" in short:
            raise RegistryError(f"{id_}: 'short' must be one line", path=path, line=doc.line_of(i, "short"))
    applies = _str(item, "applies", id_, path, line)
    if applies not in APPLIES:
        raise RegistryError(
            f"{id_}: 'applies' must be one of {', '.join(APPLIES)}, got '{applies}'",
            path=path,
            line=doc.line_of(i, "applies"),
        )
    matches = _match(item, id_, doc, i, path)
    line_key = "text" if "text" in doc.data[i] else "id"  # an overlay may keep the shared text
    en = dict(texts).get("en", ""), dict(shorts).get("en", ""), dict(matches).get("en", "")
    return Disclaimer(
        id_,
        *en[:2],
        applies,
        en[2],
        line=doc.line_of(i, line_key),
        texts=texts,
        shorts=shorts,
        matches_by=matches,
    )


def _wording(item: dict[str, Any], key: str, id_: str, doc: YamlDoc, i: int, path: Path) -> Wording:
    """``text``, ``short`` or ``match``: one string (English's) or a table of language tag to string."""
    value = item.get(key)
    where = doc.line_of(i, key) if isinstance(doc.data[i], dict) and key in doc.data[i] else doc.line_of(i)
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict) or not value:
        raise RegistryError(
            f"{id_}: '{key}' must be non-empty text, or a table of language tag to text (en: ..., es: ...)",
            path=path,
            line=where,
        )
    out = []
    for lang, words in value.items():
        if not isinstance(lang, str) or not LANG_RE.match(lang):
            raise RegistryError(
                f"{id_}: '{key}': '{lang}' is not a language tag such as en or es", path=path, line=where
            )
        if not isinstance(words, str) or not words.strip():
            raise RegistryError(f"{id_}: '{key}' in {lang} must be non-empty text", path=path, line=where)
        out.append((lang, words.strip()))
    return tuple(out)


def _match(item: dict[str, Any], id_: str, doc: YamlDoc, i: int, path: Path) -> Wording:
    if item["applies"].strip() != "when-mentioned":
        if "match" in item:
            raise RegistryError(
                f"{id_}: 'match' is only used with applies: when-mentioned",
                path=path,
                line=doc.line_of(i, "match"),
            )
        return ()
    matches = _wording(item, "match", id_, doc, i, path)
    for lang, match in matches:
        try:
            re.compile(match)
        except re.error as exc:
            raise RegistryError(
                f"{id_}: 'match' in {lang} is not a valid regular expression: {exc}",
                path=path,
                line=doc.line_of(i, "match"),
            ) from None
    return matches


def _entries(doc: YamlDoc, path: Path, base: Registry | None = None) -> list[Disclaimer]:
    entries: list[Disclaimer] = []
    for i in range(len(doc.data)):
        entry = _entry(doc, i, path, base.get(_id_of(doc.data[i])) if base else None)
        if any(e.id == entry.id for e in entries):
            raise RegistryError(f"id '{entry.id}' is used twice", path=path, line=doc.line_of(i))
        entries.append(entry)
    return entries


def _id_of(item: Any) -> str:
    value = item.get("id") if isinstance(item, dict) else None
    return value.strip() if isinstance(value, str) else ""


# Registries read by this process, while their files are unchanged (a watcher's every rebuild).
_READ: StatMemo[Registry] = StatMemo()


def load_registry(path: Path, max_bytes: int = Limits.max_source_bytes) -> Registry:
    """Read and validate ``source/disclaimers.yaml``; every problem names the file and line."""
    return _READ.get(("shared", path, max_bytes), [path], lambda: _load_registry(path, max_bytes))


def _load_registry(path: Path, max_bytes: int) -> Registry:
    raw, doc = _read(
        path, "the disclaimer registry is missing; it lists the approved disclaimers (see README)", max_bytes
    )
    return Registry(path=path, entries=tuple(_entries(doc, path)), sha256=hashlib.sha256(raw).hexdigest())


def overlay_registry(base: Registry, path: Path, max_bytes: int = Limits.max_source_bytes) -> Registry:
    """A clinic's registry: ``path`` (a file under source/, named by the clinic's ``registry``
    setting) laid over the shared one. An entry with a shared id replaces that disclaimer's
    wording (text, short, match; the keys it leaves out stay as shared) for this clinic; a new id
    is added after the shared ones. Read with the same safe loader and rules; its errors name
    ``path`` and the line. The digest covers both files, so a change to either rebuilds."""
    key = ("clinic", base.sha256, path, max_bytes)  # the digest of the shared file: its entries
    return _READ.get(key, [path], lambda: _overlay_registry(base, path, max_bytes))


def _overlay_registry(base: Registry, path: Path, max_bytes: int) -> Registry:
    missing = "the clinic's disclaimer registry is missing (see registry in [tool.publish.brands])"
    raw, doc = _read(path, missing, max_bytes)
    own = {d.id: d for d in _entries(doc, path, base)}
    entries = [own.pop(d.id, d) for d in base.entries] + list(own.values())
    digest = hashlib.sha256(f"{base.sha256}\0{hashlib.sha256(raw).hexdigest()}".encode()).hexdigest()
    return Registry(path=path, entries=tuple(entries), sha256=digest)
