"""Settings values that check themselves: one rule per kind of value, used by every format."""

from __future__ import annotations

import dataclasses
import re
import typing
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Annotated, Any

from .langtag import LANG_RE

EDITIONS = ("standard", "large-print")
PAGE_SIZES = ("letter", "a4")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")

# ESP merge tags stand in for the real per-recipient link and are kept as written:
# Mailchimp *|UNSUB|*, Handlebars/Liquid {{ unsubscribe }}, Salesforce %%unsub_center_url%%, ...
MERGE_TAG_RE = re.compile(
    r"^(\*\|[A-Za-z0-9_:]+\|\*|\{\{[^{}<>\"']+\}\}|%%[^%<>\"']+%%|\[[^\[\]<>\"']+\]|\{\$[^{}<>\"']+\})$"
)
_COLOUR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
_ADDR = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
# A display name is either quoted or plain words (RFC 5322 atext, spaces, dots): a comma outside
# quotes would make the header two addresses.
_MAILBOX_RE = re.compile(rf"^(?:(?:\"[^\"\\]*\"|[A-Za-z0-9 !#$%&'*+/=?^_`{{|}}~.-]*?)\s*<{_ADDR}>|{_ADDR})$")
_HOST_RE = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d{1,5})?$")


class Invalid(ValueError):
    """A value that breaks its rule. The message is one line and does not name the key."""


def received(value: Any) -> str:
    return f"but received: {value!r}"


def header_problem(value: str) -> str | None:
    """Why ``value`` could add or change mail headers (a control character, an RFC 2047 word)."""
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            return f"contains a control character (U+{ord(ch):04X})"
    if "=?" in value:
        return "contains an encoded-word sequence '=?' (RFC 2047)"
    return None


class Rule:
    """How one kind of value is checked and normalised; put on a field as ``Annotated[str, rule]``."""

    def check(self, value: Any) -> Any:
        raise NotImplementedError

    @staticmethod
    def text(value: Any, what: str) -> str:
        if not isinstance(value, str):
            raise Invalid(f"expected {what} {received(value)}")
        return value


@dataclass(frozen=True)
class Choice(Rule):
    options: tuple[str, ...]

    def check(self, value: Any) -> str:
        if value not in self.options:
            shown = ", ".join(o if o else '""' for o in self.options)
            raise Invalid(f"expected one of: {shown} {received(value)}")
        return str(value)


class ColourRule(Rule):
    def check(self, value: Any) -> str:
        text = self.text(value, 'a colour like "#1F5F7A" or "#17A"')
        if not _COLOUR_RE.match(text):
            raise Invalid(f'expected a colour like "#1F5F7A" or "#17A" {received(text)}')
        digits = text[1:].upper()
        return "#" + (digits if len(digits) == 6 else "".join(c * 2 for c in digits))


@dataclass(frozen=True)
class UrlRule(Rule):
    schemes: tuple[str, ...] = ("https", "http")

    def check(self, value: Any) -> str:
        starts = " or ".join(f"{s}://" for s in self.schemes)
        what = f'a web address starting with {starts} (e.g. "https://www.example.org")'
        text = self.text(value, what)
        if not text:
            return text
        scheme, _, rest = text.partition("://")
        host = re.split(r"[/?#]", rest, maxsplit=1)[0]
        if scheme not in self.schemes or not _HOST_RE.match(host) or not _printable(text):
            raise Invalid(f"expected {what} {received(text)}")
        return text


def _header_text(text: str) -> str:
    """``text`` if it may go into a mail header as it is (no line break, control or ``=?``)."""
    problem = header_problem(text)
    if problem:
        raise Invalid(f"{problem}, which could add or change mail headers; remove it: {text!r}")
    return text


class MailboxRule(Rule):
    def check(self, value: Any) -> str:
        what = "one address such as 'Clinic Name <news@clinic.example>' or 'news@clinic.example'"
        text = _header_text(self.text(value, what))
        if not text.isascii():
            raise Invalid(f"expected plain ASCII (write accents out in the clinic name) {received(text)}")
        if text and not _MAILBOX_RE.match(text.strip()):
            raise Invalid(f"expected {what} {received(text)}")
        return text.strip()


class UnsubscribeRule(Rule):
    def check(self, value: Any) -> str:
        what = "an https:// or mailto: address or an ESP merge tag such as *|UNSUB|*"
        text = _header_text(self.text(value, what))
        if not text:
            return text
        # A merge tag may have spaces ({{ unsubscribe }}): the email service replaces it whole.
        url = text.startswith(("https://", "mailto:")) and not re.search(r"[\s<>\"]", text)
        if not url and not MERGE_TAG_RE.match(text):
            raise Invalid(f"expected {what} {received(text)}")
        return text


@dataclass(frozen=True)
class FileRule(Rule):
    """A file name inside a project folder: relative, no ``..``, with one of ``suffixes``."""

    folder: str
    example: str
    suffixes: tuple[str, ...]

    def check(self, value: Any) -> str:
        what = f'a file name in {self.folder}/ (e.g. "{self.example}")'
        text = self.text(value, what)
        if not text:
            return text
        path = PurePosixPath(text)
        if path.is_absolute() or "\\" in text or ".." in path.parts or not _printable(text):
            raise Invalid(f"expected {what} {received(text)}")
        if path.suffix.lower() not in self.suffixes:
            raise Invalid(f"expected a file ending in {', '.join(self.suffixes)} {received(text)}")
        return text


class FolderRule(Rule):
    """A folder inside the project: ``clean`` empties build/, so it may never be the project
    itself, a parent of it, or a place outside it."""

    def check(self, value: Any) -> str:
        what = 'a folder inside the project (e.g. "build")'
        text = self.text(value, what)
        path = PurePosixPath(text)
        if not text or path.is_absolute() or "\\" in text or ".." in path.parts or path == PurePosixPath("."):
            raise Invalid(f"expected {what} {received(text)}")
        return text


class EditionsRule(Rule):
    def check(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            example = '["standard", "large-print"]'
            raise Invalid(f"expected a list of editions such as {example} {received(value)}")
        seen: list[str] = []
        for item in value:
            Choice(EDITIONS).check(item)
            if item in seen:
                raise Invalid(f"expected each edition once {received(value)}")
            seen.append(item)
        return tuple(seen)


class LangTagsRule(Rule):
    """A list of language tags, each once (a clinic's taglines: which languages it serves)."""

    def check(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise Invalid(f'expected a list of language tags such as ["es", "zh-Hant"] {received(value)}')
        for item in value:
            if not isinstance(item, str) or not LANG_RE.match(item):
                raise Invalid(f"expected language tags (BCP 47) such as es or zh-Hant {received(item)}")
            if value.count(item) > 1:
                raise Invalid(f"expected each language once {received(item)}")
        return tuple(value)


@dataclass(frozen=True)
class AtLeast(Rule):
    """A number no smaller than ``low`` (``above``: strictly greater)."""

    low: float
    whole: bool = False
    above: bool = False

    def check(self, value: Any) -> float | int:
        kind = "a whole number" if self.whole else "a number"
        ok_type = (int,) if self.whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type):
            raise Invalid(f"expected {kind} {received(value)}")
        if value < self.low or (self.above and value == self.low):
            bound = f"above {self.low:g}" if self.above else f"{self.low:g} or more"
            raise Invalid(f"expected {kind}, {bound} {received(value)}")
        return value if self.whole else float(value)


def _printable(value: str) -> bool:
    return value.isascii() and value.isprintable() and not any(c.isspace() for c in value)


Colour = Annotated[str, ColourRule()]
Url = Annotated[str, UrlRule()]
HttpsUrl = Annotated[str, UrlRule(("https",))]
Mailbox = Annotated[str, MailboxRule()]
UnsubscribeUrl = Annotated[str, UnsubscribeRule()]
PageSize = Annotated[str, Choice(PAGE_SIZES)]
AssetPath = Annotated[str, FileRule("source/assets", "logo.png", IMAGE_SUFFIXES)]
SourceYaml = Annotated[str, FileRule("source", "disclaimers.eastside.yaml", (".yaml", ".yml"))]
Editions = Annotated[tuple[str, ...], EditionsRule()]
Folder = Annotated[str, FolderRule()]
LangTags = Annotated[tuple[str, ...], LangTagsRule()]

_PLAIN = {str: "text", bool: "true or false", int: "a whole number", float: "a number"}


def toml_key(name: str) -> str:
    return name.rstrip("_")  # from_ is TOML's "from"


def build_table(
    cls: type,
    data: Any,
    where: str,
    errors: list[str],
    skip: tuple[str, ...] = (),
    known: tuple[str, ...] = (),
) -> Any:
    """``cls`` from a TOML table: every field checked by its rule; each problem is one line in
    ``errors`` with its key path. A bad value keeps the field's default so checking goes on.
    ``skip``: fields that are not TOML keys; ``known``: keys the caller reads itself."""
    if not isinstance(data, dict):
        errors.append(f"{where}: expected a table {received(data)}")
        return cls()
    hints = typing.get_type_hints(cls, include_extras=True)
    fields = {toml_key(f.name): f for f in dataclasses.fields(cls) if f.name not in skip}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        f = fields.get(key)
        if key in known:
            continue
        if f is None:
            valid = ", ".join(sorted({*fields, *known}))
            errors.append(f"{where}: unknown key '{key}'. Valid keys: {valid}")
            continue
        tp = hints[f.name]
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            kwargs[f.name] = build_table(tp, value, f"{where}.{key}", errors)
            continue
        try:
            kwargs[f.name] = check_value(tp, value)
        except Invalid as exc:
            errors.append(f"{where}.{key}: {exc}")
    return cls(**kwargs)


def check_value(tp: Any, value: Any) -> Any:
    """``value`` checked against a field's type: its rule if it has one, else the plain type."""
    if typing.get_origin(tp) is Annotated:
        rule = next(m for m in tp.__metadata__ if isinstance(m, Rule))
        return rule.check(value)
    if typing.get_origin(tp) is tuple:  # a TOML array; its items are checked by their owner
        if not isinstance(value, list):
            raise Invalid(f"expected a list {received(value)}")
        return tuple(value)
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, tp) or (tp is not bool and isinstance(value, bool)):
        raise Invalid(f"expected {_PLAIN.get(tp, getattr(tp, '__name__', str(tp)))} {received(value)}")
    return value
