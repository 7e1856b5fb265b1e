"""An article known from build/.sources.json: its front matter without reading the file again.

A build where an article's file kept its size, times and inode uses what the last read of it
found (front matter, lines, which assets it names) and reads the file only if something asks for
the body itself, for example to render it. So a nothing-changed build reads no article, and
anything that does need the text still gets exactly the file's text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import SourceError
from .article import Article, FrontMatter, load_article
from .settings import Limits

ASSETS = "assets/"
# Longer than any file name (255 bytes): what follows each "assets/" in the body, enough to tell
# exactly whether ``assets/<name>`` occurs for every name a folder can hold.
TAIL = 256


def asset_tails(body: str) -> list[str]:
    """The text after each occurrence of ``assets/`` in ``body`` (at most TAIL characters)."""
    out, start = [], body.find(ASSETS)
    while start >= 0:
        tail = body[start + len(ASSETS) : start + len(ASSETS) + TAIL]
        if tail not in out:
            out.append(tail)
        start = body.find(ASSETS, start + 1)
    return out


class RememberedArticle(Article):
    """An Article whose body is read from its file only when asked for (then checked against
    the remembered sha256, so the text always belongs to the key computed without it)."""

    limits: Limits
    tails: tuple[str, ...]

    def __init__(  # the dataclass is frozen: fields are set as its own __init__ sets them
        self,
        *,
        slug: str,
        path: Path,
        meta: FrontMatter,
        body_line: int,
        sha256: str,
        tails: list[str],
        limits: Limits,
        front_lines: tuple[str, ...] = (),
        key_lines: dict[tuple[str, ...], int] | None = None,
        translates: str = "",
    ) -> None:
        for name, value in (
            ("slug", slug),
            ("path", path),
            ("meta", meta),
            ("body_line", body_line),
            ("sha256", sha256),
            ("tails", tuple(tails)),
            ("limits", limits),
            ("front_lines", front_lines),
            ("key_lines", dict(key_lines or {})),
            ("translates", translates),
            ("_body", None),
        ):
            object.__setattr__(self, name, value)

    @property
    def body(self) -> str:
        cached: str | None = self.__dict__["_body"]
        if cached is None:
            fresh = load_article(self.path, self.limits)
            if fresh.sha256 != self.sha256:
                raise SourceError("changed while the build ran: run the command again", path=self.path)
            cached = fresh.body
            object.__setattr__(self, "_body", cached)
        return cached

    def mentions(self, text: str) -> bool:
        """Whether ``text`` occurs in the body; for ``assets/<name>`` without reading the file."""
        if text.startswith(ASSETS) and len(text) - len(ASSETS) <= TAIL:
            name = text[len(ASSETS) :]
            return any(t.startswith(name) for t in self.tails)
        return text in self.body

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RememberedArticle):
            return NotImplemented
        return (self.slug, self.path, self.sha256) == (other.slug, other.path, other.sha256)

    def __hash__(self) -> int:  # the file's bytes decide the rest
        return hash((self.slug, self.path, self.sha256))

    def __repr__(self) -> str:
        return f"RememberedArticle(slug={self.slug!r}, sha256={self.sha256[:8]!r})"

    def __reduce__(self) -> tuple[Any, ...]:  # to a worker: the fields, not a half-read body
        return (_rebuild, (self.__dict__.copy(),))


def _rebuild(fields: dict[str, Any]) -> RememberedArticle:
    article = RememberedArticle.__new__(RememberedArticle)
    for name, value in fields.items():
        object.__setattr__(article, name, value)
    return article


def mentions(article: Article, text: str) -> bool:
    """``text in article.body``, answered from memory for a remembered article when it can be."""
    if isinstance(article, RememberedArticle):
        return article.mentions(text)
    return text in article.body
