"""What a format is: the declarations the core reads (Need, Format); the registry is in __init__."""

from __future__ import annotations

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
    ``cost``: the expected time of one output in ms (a 6 kB article, the 2-core build machine),
    which balances shards (pipeline/shard.py); only the ratios between formats matter.
    ``offload``: a one-article build lays it out in a helper process, on the other core, while
    this process renders the other formats (most of the build's CPU time: pages laid out). Such
    a format splits ``render`` in two: ``compose`` here (its page, with this process's templates)
    and ``lay_out`` of what ``compose`` returned (picklable) in the helper; the bytes come back
    to be read back, audited and written here.
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
    cost: ClassVar[float] = 50.0
    offload: ClassVar[bool] = False

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

    def compose(self, ctx: RenderContext) -> Any:
        """An ``offload`` format's first half of ``render``: what ``lay_out`` needs, picklable."""
        raise NotImplementedError

    def lay_out(self, composed: Any) -> bytes:
        """An ``offload`` format's second half of ``render``: the output's bytes."""
        raise NotImplementedError

    def warm_up(self, settings: Any, rehearse: bool = True) -> None:
        """Load what ``render`` needs (heavy imports, fonts) before the first article arrives;
        with ``rehearse``, also what only a first render loads (a tiny one), which pays only when
        there is time to spare before the first article.

        Called once in each build worker while the content checks run; the default does nothing."""

    def filename(self, slug: str) -> str:
        return f"{slug}{self.suffix}"
