"""Plain text: the article for anything that takes text, and the email's text part."""

from __future__ import annotations

import textwrap
from typing import Any, ClassVar

from ..kit import doctree
from ..kit.doctree import AST, Node
from ..model.settings import Brand
from . import Format, Need
from .context import RenderContext

WIDTH = 72


def wrap(text: str, width: int = WIDTH) -> str:
    # A long URL goes on a line of its own, whole: a link split in two no longer works.
    words = " ".join(text.split())
    return "\n".join(textwrap.wrap(words, width, break_on_hyphens=False, break_long_words=False))


def brand_line(brand: Brand) -> str:
    """The clinic's name, postal address, phone and website on one line (wrapped by the template)."""
    return " · ".join(x for x in (brand.name, brand.address, brand.phone, brand.website) if x)


def _underline_headings(ast: AST) -> AST:
    """pandoc's plain writer drops heading marks; underline them so sections still stand out."""
    out: list[Node] = []
    for block in ast["blocks"]:
        if block.get("t") == "Header":
            level, _attr, inlines = block["c"]
            text = doctree.stringify(inlines)
            rule = ("=" if level <= 1 else "-" if level == 2 else "~") * min(len(text), WIDTH)
            out.append({"t": "Para", "c": [*inlines, {"t": "LineBreak"}, {"t": "Str", "c": rule}]})
        else:
            out.append(block)
    return {**ast, "blocks": out}


def plain_document(
    ctx: RenderContext, body_plain: str, refs: list[tuple[int, str]], footer: list[str]
) -> str:
    """Assemble the text document from the text template; shared with the email's text part."""
    template = ctx.env.get_template("text.txt.j2")
    text = template.render(
        **ctx.template_vars(),
        title_lines=wrap(ctx.article.meta.title),
        summary=wrap(ctx.article.meta.summary),
        body=body_plain.strip("\n"),
        refs=refs,
        disclaimer_texts=[d.plain.strip("\n") for d in ctx.disclaimers],
        review=wrap(ctx.review_line),
        footer=[wrap(line) for line in footer if line],
    )
    return text.rstrip("\n") + "\n"


class TextRenderer(Format):
    name: ClassVar[str] = "text"
    suffix: ClassVar[str] = ".txt"
    group: ClassVar[str] = "text"
    needs: ClassVar[tuple[Need, ...]] = (Need("plain"),)
    templates: ClassVar[tuple[str, ...]] = ("text.txt.j2",)
    reader: ClassVar[str] = "whole"
    preview: ClassVar[str] = "inline-text"
    media_type: ClassVar[str] = "text/plain"

    def prepare_ast(self, ast: AST, ctx: RenderContext) -> tuple[AST, dict[str, Any]]:
        ast, refs = doctree.links_to_references(doctree.fit_tables(ast, WIDTH))
        return _underline_headings(ast), {"refs": refs}

    def render(self, ctx: RenderContext) -> bytes:
        body = ctx.bodies[self.name]
        footer = [brand_line(ctx.brand)]
        return plain_document(ctx, body.outputs["plain"], list(body.extra["refs"]), footer).encode("utf-8")
