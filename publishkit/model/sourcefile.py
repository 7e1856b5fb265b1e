"""Reading a file in source/: no symlinks, a size limit, strict UTF-8, the front matter split off."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import PublishError, SourceError
from ..kit.fsutil import TooLarge, UnsafePath, read_beneath
from .nesting import first_too_deep
from .settings import Limits

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
