"""Build pandoc AST nodes (paragraphs, headings, styled divs) for what a format adds to an article."""

from __future__ import annotations

import copy
from typing import Any

Node = dict[str, Any]
AST = dict[str, Any]


def blocks(ast: AST) -> list[Node]:
    return ast["blocks"]  # type: ignore[no-any-return]


def with_blocks(ast: AST, extra: list[Node]) -> AST:
    """A copy of ``ast`` with ``extra`` blocks appended."""
    new = dict(ast)
    new["blocks"] = [*ast["blocks"], *copy.deepcopy(extra)]
    return new


def div(blocks_: list[Node], *, classes: list[str] | None = None, custom_style: str | None = None) -> Node:
    attrs = [["custom-style", custom_style]] if custom_style else []
    return {"t": "Div", "c": [["", classes or [], attrs], blocks_]}


def para(text: str) -> Node:
    inlines: list[Node] = []
    for i, word in enumerate(text.split()):
        if i:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    return {"t": "Para", "c": inlines}


def header(level: int, text: str, ident: str = "") -> Node:
    return {"t": "Header", "c": [level, [ident, [], []], para(text)["c"]]}
