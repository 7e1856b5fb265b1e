"""Chinese and Japanese lines of pandoc's plain output broken to 72 columns between characters.

pandoc's plain writer breaks lines only at spaces; Chinese and Japanese put none between words,
so a paragraph came out as one line of hundreds of columns. Each such paragraph (a run of lines
pandoc wrapped together: a list item with its hanging indent, a block quote) is wrapped again by
:func:`~._plain.wrap_wide`, with its first line's prefix and its continuation lines' indent kept.
Everything else stays exactly as pandoc laid it out.
"""

from __future__ import annotations

import re

from ..kit.doctree import AST, Node, _rewrite_lists
from ..kit.eastasian import columns, has_breakable
from ._plain import WIDTH, wrap_wide

# Where the article has a hard line break (a heading before its underline, or a line break the
# author wrote): a private-use character at the end of the line, removed by :func:`reflow`, so a
# paragraph wrapped again keeps its line breaks. Added only to Chinese and Japanese text, whose
# lines are wrapped again anyway (pandoc counts it as one column).
HARD = "\ue001"
# A line's indent and list marker ("-   ", "1.  ", "  a)  "): its continuation lines are indented
# to where the text starts.
_PREFIX = re.compile(r"^( *)((?:[-*+•]|\d{1,3}[.)]|[a-zA-Z][.)]|\(\d{1,3}\)) +)?")


def mark_hard_breaks(ast: AST) -> AST:
    """Every LineBreak gets HARD before it, when the document has Chinese or Japanese text."""
    if not has_breakable(str(ast.get("blocks"))):
        return ast
    hard: Node = {"t": "Str", "c": HARD}
    result: AST = _rewrite_lists(ast, lambda n: [hard, n] if n.get("t") == "LineBreak" else None)
    return result


def _paragraphs(lines: list[str]) -> list[tuple[str, int, list[str]]]:
    """(first line's prefix, hanging indent, lines) for each paragraph pandoc wrapped as one."""
    out: list[tuple[str, int, list[str]]] = []
    ended = True
    for line in lines:
        m = _PREFIX.match(line)
        prefix = m.group(0) if m else ""
        hang = len(prefix)
        continues = not ended and line.strip() and m is not None and not m.group(2) and hang == out[-1][1]
        if continues:
            out[-1][2].append(line)
        else:
            out.append((prefix, hang, [line]))
        ended = not line.strip() or line.endswith(HARD)
    return out


def reflow(plain: str, width: int = WIDTH) -> str:
    """pandoc's plain output with every Chinese or Japanese paragraph wider than ``width``
    wrapped again within it; any other text comes back unchanged."""
    if not has_breakable(plain):
        return plain
    out: list[str] = []
    for prefix, hang, lines in _paragraphs(plain.split("\n")):
        text = "\n".join(lines)
        too_wide = any(columns(line) > width for line in lines)
        if too_wide and has_breakable(text):
            joined = " ".join(line[hang:] if i else line[len(prefix) :] for i, line in enumerate(lines))
            out.extend(wrap_wide(joined.replace(HARD, ""), width, prefix, " " * hang))
        else:
            out.extend(lines)
    return "\n".join(out).replace(HARD, "")
