"""What a translation was made from: the original's sections, recorded beside the translation.

``publish.py translated <slug>.<L>`` writes ``source/<slug>.<L>.translated.yaml``: the date and
every section of ``source/<slug>.md`` (its heading, line and whole Markdown) as it was then. A
sidecar rather than front matter: the tool never rewrites a file a person wrote, the translation
stays free of English, and ``git diff`` of the sidecar shows, line by line, exactly which English
the translator signed off. Sections are keyed by heading (then by position for repeated or
missing headings, such as the opening before the first heading).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..errors import SourceError
from .article import Article
from .settings import Limits
from .sourcefile import decode_strict, read_source
from .yamlsafe import load_yaml

RECORD_SUFFIX = ".translated.yaml"
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class Section:
    heading: str  # the heading line as written ("## Dosing"); "" for the opening
    line: int  # file line of the heading (of the body's first line for the opening)
    text: str  # the section's Markdown, heading included, without surrounding blank lines

    @property
    def title(self) -> str:
        m = _HEADING.match(self.heading)
        return m.group(2) if m else "the opening"


def sections(article: Article) -> list[Section]:
    """The body cut at every ATX heading (not inside fenced code): the opening, then one per heading."""
    out: list[Section] = []
    heading, start, lines = "", article.body_line, list[str]()
    fence = ""
    for n, line in enumerate(article.body.split("\n"), article.body_line):
        m = _FENCE.match(line)
        if m and (not fence or m.group(1).startswith(fence)):
            fence = "" if fence else m.group(1)[:3]
        elif not fence and _HEADING.match(line):
            out.append(Section(heading, start, "\n".join(lines).strip("\n")))
            heading, start, lines = line.strip(), n, []
        lines.append(line)
    out.append(Section(heading, start, "\n".join(lines).strip("\n")))
    if not out[0].text:  # no opening paragraph: the first section is the first heading's
        out.pop(0)
    return out


def keyed(secs: list[Section]) -> dict[str, Section]:
    """Sections by key: the heading, with ``#2``, ``#3`` for a heading that repeats."""
    out: dict[str, Section] = {}
    for s in secs:
        key, n = s.heading, 1
        while key in out:
            n += 1
            key = f"{s.heading}#{n}"
        out[key] = s
    return out


@dataclass(frozen=True)
class Record:
    path: Path
    translated_on: date
    source_sha256: str
    sections: dict[str, Section]


def record_path(article: Article) -> Path:
    return article.path.with_name(article.slug + RECORD_SUFFIX)


def original_path(article: Article) -> Path:
    return article.path.with_name(article.translates + ".md")


def load_record(article: Article, limits: Limits) -> Record | None:
    """The translation's record, or None when it has none yet; a broken one is a SourceError."""
    path = record_path(article)
    try:
        raw = read_source(path, limits.max_source_bytes, SourceError, "a translation record")
    except FileNotFoundError:
        return None
    doc = load_yaml(decode_strict(raw, path), path=path, first_line=1, error=SourceError)
    data = doc.data
    try:
        day = date.fromisoformat(str(data["translated_on"]))
        secs = [Section(str(s["heading"]), int(s["line"]), str(s["text"])) for s in data["sections"]]
        return Record(path, day, str(data["source_sha256"]), keyed(secs))
    except (KeyError, TypeError, ValueError):
        raise SourceError(
            "not a translation record: write it again with publish.py translated "
            f"{article.slug} (it needs translated_on, source_sha256 and sections)",
            path=path,
            line=1,
        ) from None


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line text, so the record diffs line by line in git."""


def _str(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def record_text(article: Article, original: Article, today: date) -> str:
    """The record of ``article`` as a translation of ``original`` as it is ``today``."""
    data = {
        "source": original.path.name,
        "translated_on": today.isoformat(),
        "source_sha256": original.sha256,
        "sections": [{"heading": s.heading, "line": s.line, "text": s.text} for s in sections(original)],
    }
    head = (
        f"# What {article.path.name} was translated from, written by `publish.py translated "
        f"{article.slug}`.\n# Do not edit: run that command again after updating the translation.\n"
    )
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    return head + body


@dataclass(frozen=True)
class Change:
    key: str
    old: Section | None  # None: a new section
    new: Section | None  # None: a removed section

    def describe(self, original: Path, since: date) -> str:
        sec = self.new or self.old
        assert sec is not None
        where = f"{original.as_posix()}:{sec.line}"
        name = f'"{sec.title}"' if sec.heading else "the opening"
        if self.old is None:
            return f"stale translation: section {name} ({where}) is new since {since}: {_clip(sec.text)}"
        if self.new is None:
            return f"stale translation: section {name} was removed from {original.name} since {since}"
        old, new = _changed_lines(self.old.text, self.new.text)
        return (
            f"stale translation: section {name} ({where}) changed since the translation of "
            f'{since.isoformat()}: was "{old}" now "{new}"'
        )


def changes(record: Record, original: Article) -> list[Change]:
    """The original's sections that differ from the record, in the original's order, removed last."""
    now = keyed(sections(original))
    out = [
        Change(k, record.sections.get(k), s) for k, s in now.items() if _differs(record.sections.get(k), s)
    ]
    out += [Change(k, s, None) for k, s in record.sections.items() if k not in now]
    return out


def _differs(old: Section | None, new: Section) -> bool:
    return old is None or old.text != new.text


def _changed_lines(old: str, new: str) -> tuple[str, str]:
    """Only the lines that differ, each side joined with " / " (the whole section when all differ)."""
    a, b = old.split("\n"), new.split("\n")
    gone, added = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            gone += a[i1:i2]
            added += b[j1:j2]
    return _clip(" / ".join(gone)), _clip(" / ".join(added))


def _clip(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
