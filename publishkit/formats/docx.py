"""The clinic's editable Word document: pandoc writes the body, python-docx finishes it."""

from __future__ import annotations

import io
import re
from typing import Any, ClassVar

from ..errors import ConfigError
from ..kit import doctree
from ..kit.doctree import AST, Node
from ..kit.docxkit import (
    fill_footer,
    fill_header,
    parts_in_effect,
    rezip,
    set_custom_properties,
    zip_time,
)
from ..kit.i18n import N_
from ..model.brands import shades
from ._docx_script import TAGLINE_STYLE, apply_script, mark_taglines
from .base import Format, Need
from .context import RenderContext

DISCLAIMERS_HEADING = N_("Important information")
BRAND_STYLES = (
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Heading 4",
    "Heading 5",
    "Heading 6",
    "Hyperlink",
)
HEX_COLOR = re.compile(r"^#?([0-9A-Fa-f]{6})$")


def apply_brand_color(document: Any, color: str, path: Any = None) -> None:
    """Headings and links in [tool.publish.brand] color: a new colour needs no new reference doc."""
    from docx.shared import RGBColor

    match = HEX_COLOR.match(color)
    if not match:
        raise ConfigError(f"[tool.publish.brand] color must be like \"#1F5F7A\", got '{color}'", path=path)
    hex_ = match.group(1).upper()
    for name in BRAND_STYLES:
        document.styles[name].font.color.rgb = RGBColor.from_string(hex_)
    _recolour_boxes(document, hex_)


# Borders and shading the reference document draws in its own brand colour: (style, border sides).
BRAND_BOXES = (("Summary", ("left",)), ("Block Text", ("left",)), ("Heading 1", ("bottom",)))


def _recolour_boxes(document: Any, hex_: str) -> None:
    """The reference document's bars, rules and tint follow the clinic's colour. A document whose
    bars already have that colour keeps its own tint (the designer's, not a computed one)."""
    from docx.oxml.ns import qn

    for name, sides in BRAND_BOXES:
        ppr = document.styles[name].element.pPr
        borders = ppr.find(qn("w:pBdr")) if ppr is not None else None
        if borders is None:
            continue
        for side in sides:
            edge = borders.find(qn(f"w:{side}"))
            if edge is None or edge.get(qn("w:color"), "").upper() == hex_:
                continue
            edge.set(qn("w:color"), hex_)
            shading = ppr.find(qn("w:shd"))
            if shading is not None:
                shading.set(qn("w:fill"), shades(f"#{hex_}")["brand-tint"].lstrip("#"))


def contact_block(ctx: RenderContext) -> Node:
    """The clinic's letterhead, as the handout's first page has it: name, then address, phone
    and website (the audit requires this clinic's details and refuses any other clinic's)."""
    brand = ctx.brand
    lines = [doctree.para(brand.name)]
    contact = [x for x in (brand.address, brand.phone, brand.website.removeprefix("https://")) if x]
    if contact:
        lines.append(doctree.para(" · ".join(contact)))
    return doctree.div(lines, custom_style="Clinic Contact")


# Large print: body text at 18 pt (RNIB and APH guidance), every other style scaled alike.
LARGE_PRINT_BODY_PT = 18.0


def apply_large_print(document: Any) -> None:
    """Scale every paragraph and character style so that body text is 18 pt."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    normal = document.styles["Normal"].font.size
    base = normal.pt if normal is not None else 12.0
    factor = LARGE_PRINT_BODY_PT / base
    for style in document.styles:
        if style.type not in (WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER):
            continue
        size = style.font.size
        if size is not None:
            style.font.size = Pt(round(size.pt * factor * 2) / 2)
    document.styles["Normal"].font.size = Pt(LARGE_PRINT_BODY_PT)


# Word's limit for a document property. The summary, tags and author may be longer: the
# document shows them in full; File > Info shows them cut.
MAX_PROPERTY = 255


def _fit(text: str) -> str:
    return text if len(text) <= MAX_PROPERTY else text[: MAX_PROPERTY - 1].rstrip() + "…"


def end_blocks(ctx: RenderContext) -> list[Node]:
    """What closes every document: the full disclaimers, the review line and the provenance line."""
    out: list[Node] = [doctree.header(2, ctx.t.gettext(DISCLAIMERS_HEADING))]
    for d in ctx.disclaimers:
        out.append(doctree.div(list(d.ast), custom_style="Disclaimer"))
    out.append(doctree.div([doctree.para(ctx.review_line)], custom_style="Review Line"))
    out.append(doctree.div([doctree.para(ctx.reference_shown)], custom_style="Reference Line"))
    # Language-access taglines, last; their runs are marked with each language in render().
    for t in ctx.taglines:
        out.append(
            doctree.div([doctree.para(f"{t.name} {t.filled(ctx.brand.phone)}")], custom_style=TAGLINE_STYLE)
        )
    return out


class DocxRenderer(Format):
    name: ClassVar[str] = "docx"
    suffix: ClassVar[str] = ".docx"
    group: ClassVar[str] = "docx"
    needs: ClassVar[tuple[Need, ...]] = (Need("docx", binary=True, reference_doc="reference.docx"),)
    templates: ClassVar[tuple[str, ...]] = ("reference.docx",)
    reader: ClassVar[str] = "sections"
    media_type: ClassVar[str] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    cost: ClassVar[float] = 45.0
    settings_sections: ClassVar[tuple[str, ...]] = ("brand", "docx")
    editions: ClassVar[tuple[str, ...]] = ("standard", "large-print")

    def prepare_ast(self, ast: AST, ctx: RenderContext) -> tuple[AST, dict[str, Any]]:
        meta = ctx.article.meta
        # The title is Heading 1, so the article's own "##" sections follow as Heading 2 and the
        # outline a screen reader announces has no skipped level.
        start: list[Node] = [
            contact_block(ctx),
            doctree.header(1, meta.title),
            doctree.div([doctree.para(meta.summary)], custom_style="Summary"),
        ]
        status = ctx.review_status
        if status.overdue:
            mark = {"t": "Strong", "c": [{"t": "Str", "c": status.label}]}
            detail = doctree.para(status.detail)["c"]
            start.append({"t": "Para", "c": [mark, {"t": "Space"}, *detail]})
        new = doctree.with_blocks({**ast, "blocks": start + list(ast["blocks"])}, end_blocks(ctx))
        # Metadata comes from our validated front matter only; pandoc writes the document
        # language into the styles (w:lang) from it. Nothing else from the body reaches meta.
        new["meta"] = {"lang": {"t": "MetaString", "c": meta.language}}
        return new, {}

    def warm_up(self, settings: Any, rehearse: bool = True) -> None:
        import docx  # noqa: F401 - python-docx's import, ahead of the first article

    def render(self, ctx: RenderContext) -> bytes:
        import docx

        from ._docx_layout import layout_tables, page_size_of, set_page

        document = docx.Document(io.BytesIO(ctx.bodies[self.name].outputs["docx"]))
        meta = ctx.article.meta
        brand = ctx.brand
        shorts = [d.short for d in ctx.disclaimers]
        apply_brand_color(document, brand.color, ctx.settings.root / "pyproject.toml")
        if ctx.variant.edition == "large-print":
            apply_large_print(document)
        set_page(document, page_size_of(ctx.settings), ctx.variant.edition)
        layout_tables(document)  # after the page and the font size are final
        for section in document.sections:
            for header in parts_in_effect(document, section, "header"):
                fill_header(header, brand.name, meta.title, ctx.template_vars()["draft_mark"])
            for footer in parts_in_effect(document, section, "footer"):
                fill_footer(footer, shorts, ctx.t.page_label_parts())
        apply_script(document, meta.language)
        mark_taglines(document, ctx.taglines, brand.phone)

        cp = document.core_properties
        cp.title = _fit(meta.title)
        cp.subject = _fit(meta.summary)
        cp.author = _fit(meta.author or brand.name)
        cp.last_modified_by = _fit(brand.name)
        cp.keywords = _fit(", ".join(meta.tags))
        cp.category = meta.audience
        cp.language = meta.language
        cp.comments = _fit(ctx.reference)
        cp.created = cp.modified = ctx.built_at
        cp.revision = 1
        cp.version = ctx.article.short_hash
        set_custom_properties(
            document,
            {
                "Reference": ctx.reference,
                "Source sha256": ctx.article.sha256,
                "Reviewed": meta.reviewed.isoformat(),
                "Disclaimers": ", ".join(d.id for d in ctx.disclaimers),
            },
        )
        out = io.BytesIO()
        document.save(out)
        return rezip(out.getvalue(), zip_time(ctx.built_at))
