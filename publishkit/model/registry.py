"""The disclaimer registry, and resolve(): the ONLY place that decides which disclaimers apply."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import RegistryError
from .article import Article
from .settings import Limits
from .sourcefile import decode_strict, read_source
from .yamlsafe import YamlDoc, load_yaml

APPLIES = ("always", "when-mentioned", "on-request")
ENTRY_KEYS = ("id", "text", "short", "applies", "match")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Disclaimer:
    id: str
    text: str  # full approved wording, Markdown
    short: str  # one line for page footers
    applies: str
    match: str = ""
    line: int = 0  # line of 'text' in the registry, for errors about the wording

    def matches(self, body: str) -> bool:
        return re.search(self.match, body, re.IGNORECASE) is not None


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
        for entry in self.entries:
            if (
                entry.applies == "always"
                or (entry.applies == "when-mentioned" and entry.matches(article.body))
                or entry.id in requested
            ):
                chosen.append(entry)
        return tuple(chosen)


def _str(entry: dict[str, Any], key: str, where: str, path: Path, line: int) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RegistryError(f"{where}: '{key}' must be non-empty text", path=path, line=line)
    return value.strip()


def _entry(doc: YamlDoc, i: int, item: Any, path: Path, before: list[Disclaimer]) -> Disclaimer:
    """Entry ``i`` of the registry, checked; ``before`` are the entries above it (ids are unique)."""
    line = doc.line_of(i)
    if not isinstance(item, dict):
        raise RegistryError(
            f"entry {i + 1} must be a table with {', '.join(ENTRY_KEYS)}", path=path, line=line
        )
    for key in item:
        if key not in ENTRY_KEYS:
            raise RegistryError(
                f"unknown key '{key}'. Valid keys: {', '.join(ENTRY_KEYS)}",
                path=path,
                line=doc.line_of(i, str(key)),
            )
    id_ = _str(item, "id", f"entry {i + 1}", path, line)
    if not ID_RE.match(id_):
        raise RegistryError(
            f"id '{id_}' must be lower-case letters, digits and hyphens", path=path, line=line
        )
    if any(e.id == id_ for e in before):
        raise RegistryError(f"id '{id_}' is used twice", path=path, line=line)
    text = _str(item, "text", id_, path, line)
    short = _str(item, "short", id_, path, line)
    if "\n" in short:
        raise RegistryError(f"{id_}: 'short' must be one line", path=path, line=doc.line_of(i, "short"))
    applies, match = _applies(doc, i, item, id_, path, line)
    return Disclaimer(
        id=id_, text=text, short=short, applies=applies, match=match, line=doc.line_of(i, "text")
    )


def _applies(doc: YamlDoc, i: int, item: dict[str, Any], id_: str, path: Path, line: int) -> tuple[str, str]:
    """An entry's ``applies`` and, for when-mentioned, its ``match`` pattern (compiled to check it)."""
    applies = _str(item, "applies", id_, path, line)
    if applies not in APPLIES:
        raise RegistryError(
            f"{id_}: 'applies' must be one of {', '.join(APPLIES)}, got '{applies}'",
            path=path,
            line=doc.line_of(i, "applies"),
        )
    match = ""
    if applies == "when-mentioned":
        match = _str(item, "match", id_, path, line)
        try:
            re.compile(match)
        except re.error as exc:
            raise RegistryError(
                f"{id_}: 'match' is not a valid regular expression: {exc}",
                path=path,
                line=doc.line_of(i, "match"),
            ) from None
    elif "match" in item:
        raise RegistryError(
            f"{id_}: 'match' is only used with applies: when-mentioned",
            path=path,
            line=doc.line_of(i, "match"),
        )
    return applies, match


def load_registry(path: Path, max_bytes: int = Limits.max_source_bytes) -> Registry:
    """Read and validate ``source/disclaimers.yaml``; every problem names the file and line."""
    try:
        raw = read_source(path, max_bytes, RegistryError, "the disclaimer registry")
    except FileNotFoundError:
        raise RegistryError(
            "the disclaimer registry is missing; it lists the approved disclaimers (see README)",
            path=path,
        ) from None
    doc = load_yaml(decode_strict(raw, path), path=path, first_line=1, error=RegistryError)
    if not isinstance(doc.data, list) or not doc.data:
        raise RegistryError("must be a list of entries, each starting with '- id: ...'", path=path, line=1)
    entries: list[Disclaimer] = []
    for i, item in enumerate(doc.data):
        entries.append(_entry(doc, i, item, path, entries))
    return Registry(path=path, entries=tuple(entries), sha256=hashlib.sha256(raw).hexdigest())
