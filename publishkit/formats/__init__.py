"""The format registry: one small class per output format, declaring itself, registered explicitly."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .base import Format, Need

__all__ = ["GROUPS", "REGISTRY", "Format", "Need", "find", "problems", "register", "unregister"]


REGISTRY: dict[str, Format] = {}
GROUPS: dict[str, tuple[str, ...]] = {}  # CLI word -> the formats it builds, in registry order


def register(fmt: Format) -> Format:
    """Add a format; its name must be new and its suffix unused (two formats, one file)."""
    if fmt.name in REGISTRY:
        raise ValueError(f"format '{fmt.name}' is registered twice")
    for other in REGISTRY.values():
        if other.suffix == fmt.suffix:
            raise ValueError(f"format '{fmt.name}' has the suffix '{fmt.suffix}' of format '{other.name}'")
    REGISTRY[fmt.name] = fmt
    GROUPS[fmt.group] = (*GROUPS.get(fmt.group, ()), fmt.name)
    return fmt


def unregister(name: str) -> None:
    """Remove a format (tests register their own and take it away again)."""
    fmt = REGISTRY.pop(name)
    GROUPS[fmt.group] = tuple(n for n in GROUPS[fmt.group] if n != name)
    if not GROUPS[fmt.group]:
        del GROUPS[fmt.group]


def problems(settings: Any, names: Iterable[str] | None = None) -> list[str]:
    """Every format's settings problems (``validate``), one line each, for the load-time report:
    the formats ``names`` (default: all registered) in registry order, each line once."""
    wanted = set(REGISTRY if names is None else names)
    lines: list[str] = []
    for fmt in REGISTRY.values():
        if fmt.name in wanted:
            lines.extend(line for line in fmt.validate(settings) if line not in lines)
    return lines


def find(media_type: str) -> Format | None:
    """The first registered format whose files are ``media_type``."""
    return next((f for f in REGISTRY.values() if f.media_type == media_type), None)


def _register_builtin() -> None:
    from .docx import DocxRenderer
    from .email_html import EmailHtmlRenderer
    from .eml import EmlRenderer
    from .pdf import PdfRenderer
    from .text import TextRenderer

    for cls in (TextRenderer, EmailHtmlRenderer, EmlRenderer, PdfRenderer, DocxRenderer):
        register(cls())


_register_builtin()
