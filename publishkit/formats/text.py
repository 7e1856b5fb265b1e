"""Plain text: the article for anything that takes text, and the email's text part."""

from __future__ import annotations

from typing import Any, ClassVar

from ..kit import doctree
from ..kit.doctree import AST, Node
from ..kit.eastasian import columns
from ._plain import WIDTH, bind_ast_markers, brand_line, tagline_text, unbind, wrap
from ._plainreflow import mark_hard_breaks, reflow
from ._plaintable import tables_to_text
from .base import Format, Need
from .context import RenderContext

__all__ = ["WIDTH", "TextRenderer", "brand_line", "plain_document", "wrap"]


def _underline_headings(ast: AST) -> AST:
    """pandoc's plain writer drops heading marks; underline them so sections still stand out."""
    out: list[Node] = []
    for block in ast["blocks"]:
        if block.get("t") == "Header":
            level, _attr, inlines = block["c"]
            text = doctree.stringify(inlines)
            rule = ("=" if level <= 1 else "-" if level == 2 else "~") * min(columns(text), WIDTH)
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
        body=unbind(reflow(body_plain)).strip("\n"),
        refs=refs,
        disclaimer_texts=[reflow(d.plain).strip("\n") for d in ctx.disclaimers],
        review=wrap(ctx.review_line),
        footer=[wrap(line) for line in footer if line],
        tagline_texts=[tagline_text(t, ctx.brand.phone) for t in ctx.taglines],
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
    cost: ClassVar[float] = 12.0

    def prepare_ast(self, ast: AST, ctx: RenderContext) -> tuple[AST, dict[str, Any]]:
        ast, refs = doctree.links_to_references(ast)
        # Tables become text laid out here; one with a footnote is left to pandoc (see tables_to_text).
        ast = bind_ast_markers(doctree.fit_tables(tables_to_text(ast, WIDTH), WIDTH))
        # Chinese and Japanese paragraphs are wrapped again after pandoc (see _plainreflow).
        return mark_hard_breaks(_underline_headings(ast)), {"refs": refs}

    def render(self, ctx: RenderContext) -> bytes:
        body = ctx.bodies[self.name]
        footer = [brand_line(ctx.brand)]
        return plain_document(ctx, body.outputs["plain"], list(body.extra["refs"]), footer).encode("utf-8")
