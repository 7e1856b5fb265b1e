"""Walk and reshape pandoc ASTs (JSON): per-format content, raw passthrough, images, links."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# The node builders live in astnodes; formats reach them through this module, as before.
from .astnodes import AST as AST
from .astnodes import Node as Node
from .astnodes import blocks as blocks
from .astnodes import div as div
from .astnodes import header as header
from .astnodes import para as para
from .astnodes import with_blocks as with_blocks
from .reserved import RESERVED_PREFIX, strip_reserved
from .treedepth import json_depth


def walk(value: Any) -> Iterator[Node]:
    """Every element node, depth first, in document order."""
    if isinstance(value, dict):
        if "t" in value:
            yield value
        for v in value.values():
            yield from walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk(v)


def _rewrite_lists(value: Any, fn: Callable[[Node], list[Node] | None]) -> Any:
    """Rebuild lists of nodes, letting ``fn`` replace a node by zero or more nodes.

    Copy on write: a list or dict is rebuilt only when something under it changed; unchanged
    subtrees are shared with ``value``. ASTs are never changed in place anywhere, so sharing is
    safe, and a rewrite that changes nothing costs one walk and no copies.
    """
    if isinstance(value, list):
        out: list[Any] | None = None
        for i, item in enumerate(value):
            if isinstance(item, dict) and "t" in item:
                replaced = fn(item)
                if replaced is None:
                    new = _rewrite_lists(item, fn)
                    if new is not item and out is None:
                        out = value[:i]
                    if out is not None:
                        out.append(new)
                else:
                    if out is None:
                        out = value[:i]
                    out.extend(_rewrite_lists(r, fn) for r in replaced)
            elif isinstance(item, list | dict):
                new = _rewrite_lists(item, fn)
                if new is not item and out is None:
                    out = value[:i]
                if out is not None:
                    out.append(new)
            elif out is not None:
                out.append(item)
        return value if out is None else out
    if isinstance(value, dict):
        changed: dict[str, Any] = {}
        for k, v in value.items():
            if isinstance(v, list | dict):
                new = _rewrite_lists(v, fn)
                if new is not v:
                    changed[k] = new
        return {**value, **changed} if changed else value
    return value


def strip_raw(ast: AST) -> tuple[AST, list[str]]:
    """Remove raw HTML/OpenXML/LaTeX passthrough. Returns the new AST and what was removed.

    pandoc's commonmark reader keeps raw HTML even with ``-raw_html``, so this is where the
    guarantee "no raw passthrough" is actually kept.
    """
    removed: list[str] = []

    def fn(node: Node) -> list[Node] | None:
        if node.get("t") in ("RawBlock", "RawInline"):
            removed.append(str(node["c"][1]).strip())
            return []
        return None

    return _rewrite_lists(ast, fn), removed


def load(text: str, max_depth: int, path: str | Path | None = None) -> AST:
    """pandoc's JSON as an AST, refused (TooDeep, naming ``path``) when nested deeper than
    ``max_depth``: json.loads and every walk here recurse once per level."""
    json_depth(text, max_depth, path)
    return json.loads(text)  # type: ignore[no-any-return]


def load_stripped(text: str, max_depth: int, path: str | Path | None = None) -> tuple[AST, list[str]]:
    """Parse pandoc's JSON for an AST (see ``load``), remove raw passthrough (see ``strip_raw``)
    and the template's reserved classes and ids (see ``strip_reserved``).

    Each walk is skipped when the text cannot hold what it removes: every RawBlock or RawInline
    that pandoc writes carries its type name as plain text in the JSON, and a reserved name its
    prefix. A mention in the article's own words only costs the walk."""
    ast = load(text, max_depth, path)
    if RESERVED_PREFIX in text.casefold():
        ast = strip_reserved(ast)
    if "RawBlock" not in text and "RawInline" not in text:
        return ast, []
    return strip_raw(ast)


def _formats(attrs: list[list[str]], key: str) -> set[str] | None:
    for k, v in attrs:
        if k == key:
            return set(v.split())
    return None


def for_format(ast: AST, fmt: str) -> AST:
    """Keep ``.content-visible``/``.content-hidden`` blocks only where they belong (Quarto's syntax)."""

    def fn(node: Node) -> list[Node] | None:
        if node.get("t") not in ("Div", "Span"):
            return None
        _id, classes, attrs = node["c"][0]
        when = _formats(attrs, "when-format")
        unless = _formats(attrs, "unless-format")
        if "content-visible" in classes:
            keep = (when is None or fmt in when) and (unless is None or fmt not in unless)
        elif "content-hidden" in classes:
            hide = (when is None or fmt in when) and (unless is None or fmt not in unless)
            keep = not hide
        else:
            return None
        # Unwrap: the contents stay, the marker Div/Span goes.
        return list(node["c"][1]) if keep else []

    return _rewrite_lists(ast, fn)  # type: ignore[no-any-return]


def stringify(value: Any, *, keep_nbsp: bool = False) -> str:
    """Plain text of inlines/blocks, roughly as pandoc.utils.stringify.

    Runs of white space become one space; with ``keep_nbsp`` a no-break space stays itself.
    """
    parts: list[str] = []

    def go(v: Any) -> None:
        if isinstance(v, dict) and "t" in v:
            t = v["t"]
            if t == "Str":
                parts.append(v["c"])
            elif t in ("Space", "SoftBreak", "LineBreak"):
                parts.append(" ")
            elif t in ("Code", "Math"):
                parts.append(v["c"][1])
            elif t in ("Link", "Image"):
                go(v["c"][1])
            elif t == "Quoted":
                q = "“”" if v["c"][0]["t"] == "DoubleQuote" else "‘’"
                parts.append(q[0])
                go(v["c"][1])
                parts.append(q[1])
            elif t == "Note":
                return
            elif "c" in v:
                go(v["c"])
            if t in ("Para", "Plain", "Header"):
                parts.append(" ")
        elif isinstance(v, list):
            for x in v:
                go(x)
        elif isinstance(v, dict):
            go(v.get("blocks", []))

    go(value)
    text = "".join(parts)
    if keep_nbsp:
        return " ".join(re.split(r"[ \t\n\r\f\v]+", text)).strip(" ")
    return " ".join(text.split())


def images(ast: AST) -> list[tuple[str, str]]:
    """(target, alt text) of every image, in order."""
    return [(n["c"][2][0], stringify(n["c"][1])) for n in walk(ast) if n.get("t") == "Image"]


def links(ast: AST) -> list[tuple[str, str]]:
    """(target, link text) of every link, in order."""
    return [(n["c"][2][0], stringify(n["c"][1])) for n in walk(ast) if n.get("t") == "Link"]


def headings(ast: AST) -> list[tuple[int, str, str]]:
    """(level, id, text) of every heading."""
    return [(n["c"][0], n["c"][1][0], stringify(n["c"][2])) for n in walk(ast) if n.get("t") == "Header"]


def map_images(ast: AST, fn: Callable[[str], str]) -> AST:
    """``ast`` with every image target passed through ``fn`` (``ast`` itself is left as it was)."""

    def image(node: Node) -> list[Node] | None:
        if node.get("t") != "Image":
            return None
        attr, alt, (target, title) = node["c"]
        new = fn(target)
        return None if new == target else [{**node, "c": [attr, alt, [new, title]]}]

    return _rewrite_lists(ast, image)  # type: ignore[no-any-return]


def links_to_references(ast: AST) -> tuple[AST, list[tuple[int, str]]]:
    """For plain text: each external link becomes ``text [n]``; returns the numbered targets.

    Numbers continue after the footnotes (which pandoc's plain writer numbers [1], [2], ...),
    so a number always means one thing.
    """
    first = 1 + sum(1 for n in walk(ast) if n.get("t") == "Note")
    refs: list[str] = []

    def fn(node: Node) -> list[Node] | None:
        if node.get("t") != "Link":
            return None
        target = node["c"][2][0]
        inner = node["c"][1]
        if target.startswith("#"):
            return list(inner)
        if stringify(inner) in (target, target.removeprefix("mailto:")):
            return list(inner)
        if target not in refs:
            refs.append(target)
        return [*inner, {"t": "Str", "c": f"\u00a0[{refs.index(target) + first}]"}]

    new = _rewrite_lists(ast, fn)
    return new, [(i + first, url) for i, url in enumerate(refs)]


def fit_tables(ast: AST, columns: int) -> AST:
    """Give wide tables relative column widths so pandoc's plain writer wraps their cells.

    The commonmark reader leaves pipe-table widths at "default", and the plain writer then
    prints each row on one line, however long.
    """
    if not any(node.get("t") == "Table" for node in walk(ast)):
        return ast
    new = copy.deepcopy(ast)  # the column widths below are set in place, on this copy
    for node in walk(new):
        if node.get("t") != "Table":
            continue
        _attr, _caption, colspecs, head, bodies, foot = node["c"]
        widths = [1] * len(colspecs)
        # Rows are untagged JSON arrays: [attr, cells]; a cell is [attr, align, rowspan, colspan, blocks].
        rows = [*head[1], *foot[1]]
        for body in bodies:
            rows.extend([*body[2], *body[3]])
        for row in rows:
            for i, cell in enumerate(row[1][: len(widths)]):
                widths[i] = max(widths[i], len(stringify(cell[4])))
        if sum(widths) + 2 * len(widths) <= columns:
            continue
        total = sum(widths)
        usable = (columns - 2 * len(widths)) / columns
        for i, spec in enumerate(colspecs):
            spec[1] = {"t": "ColWidth", "c": usable * widths[i] / total}
    return new


LINK_SCHEMES = ("https://", "http://", "mailto:", "tel:", "#")


def unsafe_links(ast: AST) -> tuple[AST, list[str]]:
    """Unwrap links whose target is not a web, mail or phone address or an in-page anchor.

    ``javascript:``, ``file:`` and relative paths keep their text and lose the link, in every format.
    """
    removed: list[str] = []

    def fn(node: Node) -> list[Node] | None:
        if node.get("t") != "Link":
            return None
        target = node["c"][2][0]
        if target.lower().startswith(LINK_SCHEMES):
            return None
        removed.append(target)
        return list(node["c"][1])

    return _rewrite_lists(ast, fn), removed
