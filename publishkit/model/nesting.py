"""How deep lists and block quotes nest in an article body, measured on a CommonMark block parse."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a text is deep enough to parse: every start would pay 40 ms
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_OPEN = frozenset({"bullet_list_open", "ordered_list_open", "blockquote_open"})
_CLOSE = frozenset({"bullet_list_close", "ordered_list_close", "blockquote_close"})
# markdown-it recurses once per container level and stops reading deeper at maxNesting (its own
# guard); this keeps that well inside Python's recursion limit whatever the configured limit.
_PARSER_CAP = 200
# pandoc's commonmark_x also nests blocks inside footnotes ("[^1]: ...") and definitions
# (": ..." / "~ ..."), which plain CommonMark reads as a link definition or a paragraph with
# indented code after it. Read as list items instead, their contents are measured too. The
# prefix alternatives each start with a different character, so the match is linear.
_PANDOC_CONTAINER = re.compile(
    r"^((?:[ \t]|>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]))*)(\[\^[^\]\n]*\]:|[:~](?=[ \t]|$))", re.M
)
# Every container level takes at least one character of a line's leading markers and indentation
# (a tab up to four columns): a text where no such prefix is wider than the limit cannot nest
# deeper, and is not parsed at all.
_PREFIX = re.compile(r"^[ \t>*+\-0-9.)]+", re.M)


@cache
def _parser(limit: int) -> MarkdownIt:
    from markdown_it import MarkdownIt

    # A list level is two tokens deep (list, item): room to see one level past the limit.
    return MarkdownIt("commonmark", {"maxNesting": min(2 * limit + 10, _PARSER_CAP)})


def first_too_deep(text: str, limit: int) -> int | None:
    """The 0-based line where lists or quotes first nest more than ``limit`` deep, else None.

    Only the block structure is parsed (no inline rules), in time linear in the text: Setext
    underlines, thematic breaks, tables and code are read as what they are, not as nesting.
    """
    text = _PANDOC_CONTAINER.sub(_as_list_item, text)
    widest = max((len(m) + 3 * m.count("\t") for m in _PREFIX.findall(text)), default=0)
    if widest <= limit:
        return None
    md = _parser(limit)
    tokens: list[Token] = []
    md.block.parse(text, md, {}, tokens)
    # Where the parser stopped at its cap (only with a limit near 100) it could not see deeper.
    cap = md.options["maxNesting"] - 1
    depth = 0
    for token in tokens:
        if token.type in _OPEN:
            depth += 1
        if (token.type in _OPEN and depth > limit) or token.level >= cap:
            return token.map[0] if token.map else 0
        if token.type in _CLOSE:
            depth -= 1
    return None


def _as_list_item(match: re.Match[str]) -> str:
    # ":   text" keeps its columns, so its indented continuation stays inside; "[^1]:text" needs
    # the space a list item wants.
    return match.group(1) + ("- " if match.group(2).startswith("[") else "-")
