"""Email newsletter HTML: Jinja2 template, sanitized body, CSS inlined for mail clients."""

from __future__ import annotations

from typing import Any, ClassVar

from markupsafe import Markup

from .. import doctree
from ..context import RenderContext
from ..doctree import AST
from ..errors import RenderError
from ..sanitize import clean_html
from . import Renderer


def email_image_url(src: str, base_url: str, slug: str) -> str:
    """Email clients cannot see source/assets/: point images at the clinic's public copy."""
    if src.startswith("https://"):
        return src
    if not base_url:
        raise RenderError(
            f"image '{src}' needs a public address in email: set asset_base_url in "
            '[tool.publish.email] (e.g. "https://www.example.org/handouts/assets/")',
            path=f"{slug}.email.html",
        )
    name = src.removeprefix("assets/")
    return base_url.rstrip("/") + "/" + name


def render_email_html(ctx: RenderContext, body_html: str, footer_extra: dict[str, str] | None = None) -> str:
    """The complete email page, CSS inlined; shared by the .email.html and the .eml renderers."""
    import css_inline

    env = ctx.env
    css = (ctx.settings.templates_dir / "email.css").read_text(encoding="utf-8")
    page = env.get_template("email.html.j2").render(
        **ctx.template_vars(),
        body=Markup(clean_html(body_html)),
        disclaimer_html=[Markup(clean_html(d.html)) for d in ctx.disclaimers],
        css=Markup(css),
        footer_extra=footer_extra or {},
    )
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)
    return str(inliner.inline(page))


class EmailHtmlRenderer(Renderer):
    name: ClassVar[str] = "email"
    suffix: ClassVar[str] = ".email.html"
    group: ClassVar[str] = "email"
    pandoc: ClassVar[tuple[str, ...]] = ("html5",)
    templates: ClassVar[tuple[str, ...]] = ("email.html.j2", "email.css")
    audit_kind: ClassVar[str] = "html"
    settings_sections: ClassVar[tuple[str, ...]] = ("brand", "email")

    def prepare_ast(self, ast: AST, ctx: RenderContext) -> tuple[AST, dict[str, Any]]:
        base = ctx.settings.email.asset_base_url
        return doctree.map_images(ast, lambda src: email_image_url(src, base, ctx.article.slug)), {}

    def render(self, ctx: RenderContext) -> bytes:
        return render_email_html(ctx, ctx.bodies[self.name].outputs["html5"]).encode("utf-8")
