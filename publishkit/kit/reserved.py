"""Class and id names the templates keep for their own structure (``pk-``), removed from articles."""

from __future__ import annotations

from typing import Any

# Classes and ids the templates use for their own structure (running footer, title, ...).
# Article and disclaimer text never carries them, so it cannot pose as that structure.
RESERVED_PREFIX = "pk-"


def _reserved(name: str) -> bool:
    return name[: len(RESERVED_PREFIX)].casefold() == RESERVED_PREFIX


def _is_attr(value: list[Any]) -> bool:
    """A pandoc Attr: [id, [class, ...], [[key, value], ...]] (the only shape of its kind)."""
    return (
        len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], list)
        and isinstance(value[2], list)
        and all(isinstance(c, str) for c in value[1])
        and all(
            isinstance(kv, list) and len(kv) == 2 and all(isinstance(s, str) for s in kv) for kv in value[2]
        )
    )


def _clean_attr(attr: list[Any]) -> list[Any]:
    ident, classes, pairs = attr
    # pandoc lifts id= and class= into the first two fields; a pair left over (a hand-made AST)
    # would still become an HTML attribute, so it is filtered the same way.
    kept_pairs = [
        kv for kv in pairs if not (kv[0].casefold() in ("id", "class") and any(map(_reserved, kv[1].split())))
    ]
    new = ["" if _reserved(ident) else ident, [c for c in classes if not _reserved(c)], kept_pairs]
    return attr if new == attr else new


def strip_reserved(value: Any) -> Any:
    """``value`` without any class or id starting with ``pk-`` (any case), on every element.

    Copy on write, like ``_rewrite_lists``: only what changed is rebuilt."""
    if isinstance(value, list):
        if _is_attr(value):
            return _clean_attr(value)
        items = [strip_reserved(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, dict):
        changed = {k: new for k, v in value.items() if (new := strip_reserved(v)) is not v}
        return {**value, **changed} if changed else value
    return value
