"""Load one article: strict UTF-8, limits, front matter validated against the schema."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import PublishError, SourceError
from ..kit.fsutil import TooLarge, UnsafePath, read_beneath
from .langtag import LANG_RE, SLUG_RE, check_language, check_name
from .nesting import first_too_deep
from .settings import Limits
from .yamlsafe import YamlDoc, load_yaml

AUDIENCES = ("patients", "public", "clinicians")
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


# Unicode's Cc category is exactly U+0000-U+001F and U+007F-U+009F; tab and line feed are allowed.
# Plus the line and paragraph separators. One regex search instead of a category lookup per character.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def decode_strict(raw: bytes, path: Path) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            f"not valid UTF-8 at byte offset {exc.start} (byte 0x{raw[exc.start]:02x}); "
            "save the file as UTF-8",
            path=path,
            line=line,
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    bad = _CONTROL.search(text)
    if bad is not None:
        i, ch = bad.start(), bad.group()
        line = text.count("\n", 0, i) + 1
        col = i - (text.rfind("\n", 0, i) + 1) + 1
        raise SourceError(
            f"control character U+{ord(ch):04X} at column {col}; remove it "
            "(only tabs and line breaks are allowed)",
            path=path,
            line=line,
        )
    return unicodedata.normalize("NFC", text)


def check_limits(text: str, path: Path, limits: Limits, first_line: int = 1) -> None:
    """Refuse input that would make pandoc slow before it ever sees it."""
    deep = first_too_deep(text, limits.max_nesting)
    if deep is not None:
        raise SourceError(
            f"too complex: lists or quotes nested more than {limits.max_nesting} deep",
            path=path,
            line=first_line + deep,
        )
    run = re.search(r"[\[\]]{" + str(limits.max_bracket_run + 1) + ",}", text)
    if run:
        raise SourceError(
            f"too complex: a run of more than {limits.max_bracket_run} brackets",
            path=path,
            line=first_line + text.count("\n", 0, run.start()),
        )


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """Return (yaml text, body, body's first line). Front matter is required."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise SourceError(
            "no front matter: the file must start with a line '---', then title, summary and "
            "reviewed, then another '---'",
            path=path,
            line=1,
        )
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    raise SourceError("front matter is not closed: add a line '---' after it", path=path, line=1)


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
    if "audience" in data:
        audience = _text(doc, path, "audience", data["audience"])
        if audience not in AUDIENCES:
            raise SourceError(
                f"'audience' must be one of {', '.join(AUDIENCES)}, got {_show(audience)}",
                path=path,
                line=doc.line_of("audience"),
            )
        values["audience"] = audience
    if "language" in data:
        lang = _text(doc, path, "language", data["language"])
        if not LANG_RE.match(lang):
            raise SourceError(
                f"'language' must be a language tag such as en, en-US or es, got {_show(lang)}",
                path=path,
                line=doc.line_of("language"),
            )
        values["language"] = lang
    for key in ("disclaimers", "tags"):
        if data.get(key) is not None:
            values[key] = _list(doc, path, key, data[key])
    if data.get("email") is not None:
        email = data["email"]
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
            values["email_subject"] = _text(doc, path, "email.subject", email["subject"], "email", "subject")
    return FrontMatter(**values)


def read_source(path: Path, limit: int, error: type[PublishError], what: str) -> bytes:
    """The bytes of a file directly in source/: never through a symlink, never more than ``limit``.

    The size is checked with stat before reading, and the read stops at limit + 1 bytes, so a huge
    (or sparse) file costs no memory. Raises ``error`` naming the file; FileNotFoundError as is."""
    try:
        return read_beneath(path.parent, [path.name], limit)
    except UnsafePath as exc:
        if exc.reason == "does not exist":
            raise FileNotFoundError(path) from None
        why = f"{exc.reason}; {what} must be a real file in source/"
        if exc.reason == "is a symbolic link":
            why += ", not a link to a file elsewhere"
        raise error(why, path=path) from None
    except TooLarge as exc:
        size = f"{exc.size:,} bytes" if exc.size is not None else f"more than {limit:,} bytes"
        raise error(
            f"too large: {size}; the limit is {limit:,} (tool.publish.limits.max_source_bytes)",
            path=path,
        ) from None


def load_article(path: Path, limits: Limits) -> Article:
    """Read, check and parse one ``source/<slug>.md``. Raises SourceError naming the file and line."""
    base, tag = check_name(path)
    raw = read_source(path, limits.max_source_bytes, SourceError, "an article")
    text = decode_strict(raw, path)
    fm_text, body, body_line = split_front_matter(text, path)
    doc = load_yaml(fm_text, path=path, first_line=2, error=SourceError)
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
        translates=base if tag else "",
    )
