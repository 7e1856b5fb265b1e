"""The renderer registry: one small class per output format, registered explicitly by name."""

from __future__ import annotations

from typing import Any, ClassVar

from ..kit.doctree import AST
from .context import RenderContext


class Renderer:
    """A format. Subclasses set the class attributes and implement ``render``.

    ``pandoc`` lists the pandoc writers this format needs for the body (run for all articles in
    one pandoc process by the build); ``templates`` lists the files under templates/ it reads,
    so that a change to them rebuilds this format only; ``audit_kind`` picks the independent
    text extractor in audit.py; ``group`` is the CLI word that builds it. ``prepare_ast`` may
    return ``extra["writer_asts"] = {writer: ast}`` when one pandoc writer needs its own AST
    (the .eml's text part numbers its links, its HTML part keeps them).
    """

    name: ClassVar[str]
    suffix: ClassVar[str]
    group: ClassVar[str]
    pandoc: ClassVar[tuple[str, ...]] = ()
    templates: ClassVar[tuple[str, ...]] = ()
    audit_kind: ClassVar[str]
    settings_sections: ClassVar[tuple[str, ...]] = ("brand",)
    editions: ClassVar[tuple[str, ...]] = ("standard",)  # what it can make: large print, ...

    @property
    def visibility(self) -> str:
        """The format name that ``.content-visible when-format=...`` blocks are matched against."""
        return self.name

    def reference_doc(self, settings: Any) -> str | None:
        """The DOCX reference document pandoc styles with, for formats that write DOCX."""
        return None

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


REGISTRY: dict[str, Renderer] = {}


def register(renderer: Renderer) -> Renderer:
    if renderer.name in REGISTRY:
        raise ValueError(f"renderer '{renderer.name}' is registered twice")
    REGISTRY[renderer.name] = renderer
    return renderer


def _register_builtin() -> None:
    from .docx import DocxRenderer
    from .email_html import EmailHtmlRenderer
    from .eml import EmlRenderer
    from .pdf import PdfRenderer
    from .text import TextRenderer

    for cls in (TextRenderer, EmailHtmlRenderer, EmlRenderer, PdfRenderer, DocxRenderer):
        register(cls())


_register_builtin()

GROUPS: dict[str, tuple[str, ...]] = {}
for _r in REGISTRY.values():
    GROUPS.setdefault(_r.group, ())
    GROUPS[_r.group] = (*GROUPS[_r.group], _r.name)
