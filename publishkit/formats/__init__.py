"""The format registry: one small class per output format, declaring itself, registered explicitly."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from ..kit.doctree import AST
from .context import RenderContext


@dataclass(frozen=True)
class Need:
    """One pandoc writer a format needs for the article body.

    ``binary``: pandoc writes a file (a zipped package such as docx), read back as bytes; such
    writers also open the images the AST names, so the build gives them checked copies.
    ``reference_doc``: a file under templates/ that styles a binary writer's output."""

    writer: str
    binary: bool = False
    reference_doc: str = ""


class Format:
    """A format. Subclasses set the class attributes (the declarations the core reads) and
    implement ``render``.

    ``needs``: the pandoc writers for the body (run for all articles in one pandoc process).
    ``templates``: the files under templates/ it reads, so a change to them rebuilds this format
    only; ``fonts``: it also reads templates/fonts/. ``reader``: how the audit reads the output
    back (a kind registered in audit/readers.py: "pages", "sections", "parts", "whole", "html").
    ``settings_sections``: the [tool.publish] sections in its cache key. ``editions``: the
    editions it can make. ``group``: the CLI word that builds it. ``preview``: what the gallery
    shows of it ("pages": page thumbnails; "inline-text": the text itself; "": a link).
    ``media_type``: what the file is, for commands that hand it on (``send`` wants a message).
    ``prepare_ast`` may return ``extra["writer_asts"] = {writer: ast}`` when one pandoc writer
    needs its own AST (the .eml's text part numbers its links, its HTML part keeps them).
    """

    name: ClassVar[str]
    suffix: ClassVar[str]
    group: ClassVar[str]
    needs: ClassVar[tuple[Need, ...]] = ()
    templates: ClassVar[tuple[str, ...]] = ()
    fonts: ClassVar[bool] = False
    reader: ClassVar[str]
    settings_sections: ClassVar[tuple[str, ...]] = ("brand",)
    editions: ClassVar[tuple[str, ...]] = ("standard",)  # what it can make: large print, ...
    preview: ClassVar[str] = ""
    media_type: ClassVar[str] = "application/octet-stream"

    @property
    def visibility(self) -> str:
        """The format name that ``.content-visible when-format=...`` blocks are matched against."""
        return self.name

    def validate(self, settings: Any) -> list[str]:
        """Problems with the settings this format uses, one line each (called at load)."""
        return []

    def prepare_ast(self, ast: AST, ctx: RenderContext) -> tuple[AST, dict[str, Any]]:
        """Adjust the format's AST before pandoc writes it; return it and any extra data."""
        return ast, {}

    def render(self, ctx: RenderContext) -> bytes:
        raise NotImplementedError

    def warm_up(self, settings: Any) -> None:
        """Load what ``render`` needs (heavy imports, fonts) before the first article arrives.

        Called once in each build worker while the content checks run; the default does nothing."""

    def filename(self, slug: str) -> str:
        return f"{slug}{self.suffix}"


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
