"""Language-access taglines: ``source/taglines.yaml`` read, checked and filled with a clinic's phone."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError
from ..kit.fsutil import TooLarge, UnsafePath, read_beneath
from .langtag import LANG_RE, direction
from .yamlsafe import YamlDoc, load_yaml

FILE = "taglines.yaml"
KEYS = ("lang", "name", "text")
PLACEHOLDER = "{phone}"
_PLACEHOLDER_RE = re.compile(r"\{[^{}]*\}|[{}]")


@dataclass(frozen=True)
class Tagline:
    """One language's notice: its tag, its own name for itself, the sentence with ``{phone}``."""

    lang: str
    name: str
    text: str
    line: int = 0

    @property
    def dir(self) -> str:
        return direction(self.lang)

    def parts(self, phone: str) -> tuple[str, str, str]:
        """The sentence split around the phone number (which is always written left to right)."""
        before, _sep, after = self.text.partition(PLACEHOLDER)
        return before, phone if _sep else "", after

    def filled(self, phone: str) -> str:
        return self.text.replace(PLACEHOLDER, phone)


@dataclass(frozen=True)
class Taglines:
    """Every tagline the project ships, in file order; empty when there is no file."""

    entries: tuple[Tagline, ...] = ()
    sha256: str = ""

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(t.lang for t in self.entries)

    def pick(self, tags: tuple[str, ...]) -> tuple[Tagline, ...]:
        """The entries for ``tags``, in the clinic's order (every tag was checked at load)."""
        by_tag = {t.lang: t for t in self.entries}
        return tuple(by_tag[t] for t in tags if t in by_tag)


def load_taglines(path: Path, max_bytes: int) -> Taglines:
    """Read and check ``path``; a problem is a SourceError naming the file, line and what is valid."""
    try:
        raw = read_beneath(path.parent, [path.name], max_bytes)
    except UnsafePath as exc:
        if exc.reason == "does not exist":
            raise FileNotFoundError(path) from None
        raise SourceError(f"{exc.reason}; the taglines must be a real file in source/", path=path) from None
    except TooLarge:
        raise SourceError(
            f"too large; the limit is {max_bytes:,} bytes (tool.publish.limits.max_source_bytes)", path=path
        ) from None
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceError("not valid UTF-8; save the file as UTF-8", path=path, line=line) from None
    doc = load_yaml(text, path=path, first_line=1, error=SourceError)
    if not isinstance(doc.data, list) or not doc.data:
        raise SourceError("must be a list of entries, each starting with '- lang: ...'", path=path, line=1)
    entries: list[Tagline] = []
    for i in range(len(doc.data)):
        entry = _entry(doc, i, path)
        if any(e.lang == entry.lang for e in entries):
            raise SourceError(f"'{entry.lang}' is given twice; keep one", path=path, line=entry.line)
        entries.append(entry)
    return Taglines(tuple(entries), hashlib.sha256(raw).hexdigest())


def _entry(doc: YamlDoc, i: int, path: Path) -> Tagline:
    line = doc.line_of(i)
    item = doc.entry(i, KEYS, path, SourceError)
    values = {}
    for key in KEYS:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            where = doc.line_of(i, key) if key in item else line
            raise SourceError(f"entry {i + 1}: '{key}' must be non-empty text", path=path, line=where)
        values[key] = " ".join(value.split())  # one line: a tagline is printed as one paragraph
    if not LANG_RE.match(values["lang"]):
        raise SourceError(
            f"'{values['lang']}' is not a language tag (BCP 47) such as es, zh-Hant or pt-BR",
            path=path,
            line=doc.line_of(i, "lang"),
        )
    for found in _PLACEHOLDER_RE.findall(values["text"]):
        if found != PLACEHOLDER:
            raise SourceError(
                f"{values['lang']}: unknown placeholder '{found}' in 'text'; the only one is {PLACEHOLDER}",
                path=path,
                line=doc.line_of(i, "text"),
            )
    return Tagline(values["lang"], values["name"], values["text"], line)
