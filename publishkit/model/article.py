"""Load one article: strict UTF-8, limits, front matter validated against the schema."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import SourceError
from .langtag import LANG_RE, SLUG_RE, check_language, check_name
from .settings import Limits
from .sourcefile import check_limits, decode_strict, read_source, split_front_matter
from .yamlsafe import YamlDoc, load_yaml

AUDIENCES = ("patients", "public", "clinicians")
AUDIENCE_RE = re.compile(f"^(?:{'|'.join(AUDIENCES)})$")
__all__ = ["LANG_RE", "SLUG_RE", "Article", "FrontMatter", "load_article"]


@dataclass(frozen=True)
class FrontMatter:
    title: str
    summary: str
    reviewed: date
    reviewer: str = ""
    author: str = ""
    audience: str = "patients"
    language: str = "en"
    disclaimers: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    email_subject: str = ""

    @property
    def subject(self) -> str:
        return self.email_subject or self.title


FIELDS: dict[str, str] = {
    "title": "text (required)",
    "summary": "text (required)",
    "reviewed": "a date like 2026-11-01 (required)",
    "reviewer": "text",
    "author": "text",
    "audience": f"one of {', '.join(AUDIENCES)}",
    "language": "a language tag like en or es-US",
    "disclaimers": "a list of disclaimer ids",
    "tags": "a list of words",
    "email": "a table with subject",
}
REQUIRED = ("title", "summary", "reviewed")
FRONT_MATTER_LINE = 2  # the first line after the opening '---'
EMAIL_FIELDS = ("subject",)
MAX_CHARS = {"title": 255, "email.subject": 255}  # Word's title limit; longer is no subject line either


@dataclass(frozen=True)
class Article:
    slug: str
    path: Path
    meta: FrontMatter
    body: str  # Markdown, NFC-normalised
    body_line: int  # file line where the body starts (1-based)
    sha256: str  # of the file's bytes
    # The file's lines before the body (the front matter between its '---' lines), and each
    # front-matter key path's line, kept from the one read: nothing opens the file again.
    front_lines: tuple[str, ...] = ()
    key_lines: dict[tuple[str, ...], int] = field(default_factory=dict, compare=False, repr=False)
    # A translation (source/<slug>.<L>.md) has ``slug`` "<slug>.<L>", the file's own name, so that
    # everything keyed by article stays unique; ``translates`` is the original's slug.
    translates: str = ""

    @property
    def base_slug(self) -> str:
        """The slug its outputs are named and filed under: the original's, for a translation."""
        return self.translates or self.slug

    @property
    def short_hash(self) -> str:
        return self.sha256[:8]

    def line_of(self, offset: int) -> int:
        """File line of a character offset in the body."""
        return self.body_line + self.body.count("\n", 0, offset)

    def line_of_key(self, *keys: str | int) -> int:
        """File line of a front-matter key path (``line_of_key("email", "subject")``); the line of
        the deepest part of the path that exists, or the front matter's first line."""
        path = tuple(str(k) for k in keys)
        for n in range(len(path), 0, -1):
            if path[:n] in self.key_lines:
                return self.key_lines[path[:n]]
        return FRONT_MATTER_LINE


def _text(doc: YamlDoc, path: Path, key: str, value: Any, *keys: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        hint = ""
        if isinstance(value, bool):
            hint = " (YAML reads yes/no/on/off as true/false: put the value in quotes)"
        raise SourceError(
            f"'{key}' must be text, got {_show(value)}{hint}",
            path=path,
            line=doc.line_of(*keys or (key,)),
        )
    result = str(value).strip()
    bad = next((ch for ch in result if unicodedata.category(ch) in ("Cc", "Zl", "Zp")), None)
    if bad is not None:
        # A YAML escape such as "\r\n" can smuggle a line break into a title (and from there into
        # an email header); front matter values are single lines of text.
        raise SourceError(
            f"'{key}' contains the control character U+{ord(bad):04X}; write it on one line without escapes",
            path=path,
            line=doc.line_of(*keys or (key,)),
        )
    if len(result) > MAX_CHARS.get(key, len(result)):
        why = f"'{key}' is {len(result)} characters long; the limit is {MAX_CHARS[key]}: shorten it"
        where = doc.line_of(*keys or (key,))
        raise SourceError(f"{why} and say the rest in the summary or the article", path=path, line=where)
    return result


def _show(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    shown = repr(value)
    # An error is one line a person reads; a 100 KB value would bury it.
    return shown if len(shown) <= 60 else shown[:56] + "...'"


def _list(doc: YamlDoc, path: Path, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise SourceError(f"'{key}' must be a list, got {_show(value)}", path=path, line=doc.line_of(key))
    return tuple(_text(doc, path, key, v, key) for v in value)


def parse_front_matter(doc: YamlDoc, path: Path) -> FrontMatter:
    data = doc.data
    if not isinstance(data, dict):
        raise SourceError(
            f"front matter must be key: value lines, got {_show(data)}. Required keys: {', '.join(REQUIRED)}",
            path=path,
            line=doc.first_line,
        )
    for key in data:
        if key not in FIELDS:
            raise SourceError(
                f"unknown key '{str(key)[:60]}'. Valid keys: {', '.join(FIELDS)}",
                path=path,
                line=doc.line_of(str(key)),
            )
    for key in REQUIRED:
        if data.get(key) in (None, ""):
            raise SourceError(f"missing required '{key}': {FIELDS[key]}", path=path, line=doc.first_line)
    values: dict[str, Any] = {}
    for key in ("title", "summary", "reviewer", "author"):
        if data.get(key) is not None:
            values[key] = _text(doc, path, key, data[key])
    for key in ("title", "summary"):
        if not values[key]:
            raise SourceError(f"'{key}' is empty", path=path, line=doc.line_of(key))
    raw_date = data["reviewed"]
    try:
        values["reviewed"] = date.fromisoformat(str(raw_date).strip())
    except ValueError:
        raise SourceError(
            f"'reviewed' must be a real date written YYYY-MM-DD, got {_show(raw_date)}",
            path=path,
            line=doc.line_of("reviewed"),
        ) from None
    for key, pattern, wanted in (
        ("audience", AUDIENCE_RE, f"one of {', '.join(AUDIENCES)}"),
        ("language", LANG_RE, "a language tag such as en, en-US or es"),
    ):
        if key in data:
            values[key] = _text(doc, path, key, data[key])
            if not pattern.match(values[key]):
                raise SourceError(
                    f"'{key}' must be {wanted}, got {_show(values[key])}", path=path, line=doc.line_of(key)
                )
    for key in ("disclaimers", "tags"):
        if data.get(key) is not None:
            values[key] = _list(doc, path, key, data[key])
    if data.get("email") is not None:
        values.update(_email(doc, path, data["email"]))
    return FrontMatter(**values)


def _email(doc: YamlDoc, path: Path, email: Any) -> dict[str, str]:
    """The `email:` table of the front matter: only `subject` so far."""
    if not isinstance(email, dict):
        raise SourceError(
            f"'email' must be a table such as 'email: {{subject: ...}}', got {_show(email)}",
            path=path,
            line=doc.line_of("email"),
        )
    for key in email:
        if key not in EMAIL_FIELDS:
            raise SourceError(
                f"unknown key 'email.{str(key)[:60]}'. "
                f"Valid keys: {', '.join('email.' + k for k in EMAIL_FIELDS)}",
                path=path,
                line=doc.line_of("email", str(key)),
            )
    if email.get("subject") is not None:
        return {"email_subject": _text(doc, path, "email.subject", email["subject"], "email", "subject")}
    return {}


def load_article(path: Path, limits: Limits) -> Article:
    """Read, check and parse one ``source/<slug>.md``. Raises SourceError naming the file and line."""
    base, tag = check_name(path)
    raw = read_source(path, limits.max_source_bytes, SourceError, "an article")
    text = decode_strict(raw, path)
    fm_text, body, body_line = split_front_matter(text, path)
    doc = load_yaml(fm_text, path=path, first_line=FRONT_MATTER_LINE, error=SourceError)
    meta = parse_front_matter(doc, path)
    if tag:
        check_language(doc, meta.language, tag, path)
    check_limits(body, path, limits, body_line)
    return Article(
        slug=path.stem,
        path=path,
        meta=meta,
        body=body,
        body_line=body_line,
        sha256=hashlib.sha256(raw).hexdigest(),
        front_lines=tuple(text.split("\n")[: body_line - 1]),
        key_lines=doc.key_lines(),
        translates=base if tag else "",
    )
