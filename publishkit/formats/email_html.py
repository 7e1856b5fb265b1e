"""Email newsletter HTML: Jinja2 template, sanitized body, inlined CSS, compliance and size gate."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote, unquote

from markupsafe import Markup

from ..errors import ConfigError, RenderError, SourceError
from ..kit import doctree
from ..kit.doctree import AST
from ..kit.htmltext import visible_html
from ..kit.sanitize import clean_html
from ..kit.textnorm import contains, normalize
from ..model.brands import email_problems, shades
from ._email_tables import label_cells
from .base import Format, Need
from .context import RenderContext

# ESP merge tags stand in for the real per-recipient link and are kept as written:
# Mailchimp *|UNSUB|*, Handlebars/Liquid {{ unsubscribe }}, Salesforce %%unsub_center_url%%, ...
MERGE_TAG_RE = re.compile(
    r"^(\*\|[A-Za-z0-9_:]+\|\*|\{\{[^{}<>\"']+\}\}|%%[^%<>\"']+%%|\[[^\[\]<>\"']+\]|\{\$[^{}<>\"']+\})$"
)


def email_image_url(src: str, base_url: str, slug: str, assets_dir: Path | None = None) -> str:
    """Email clients cannot see source/assets/: point images at the clinic's public copy.

    ``src`` is ``assets/<name>`` or, once the build has resolved it, the absolute path of the
    file under ``assets_dir``; either way the result is ``<asset_base_url>/<name>``.
    """
    if src.startswith("https://"):
        return src
    if not base_url:
        raise RenderError(
            f"image '{Path(src).name}' needs a public address in email: set asset_base_url in "
            '[tool.publish.email] (e.g. "https://www.example.org/handouts/assets/")',
            path=f"{slug}.email.html",
        )
    if not base_url.startswith("https://"):
        raise ConfigError(
            f"[tool.publish.email] asset_base_url must start with https://, got '{base_url}'",
            path="pyproject.toml",
        )
    name = src.removeprefix("assets/")
    if assets_dir is not None and Path(src).is_absolute():
        name = Path(src).resolve().relative_to(assets_dir.resolve()).as_posix()
    return base_url.rstrip("/") + "/" + quote(name)


def prepare_email_ast(ast: AST, ctx: RenderContext) -> AST:
    """Point images at their public copies; what cannot be pointed is reported by render()."""
    base = ctx.settings.email.asset_base_url
    if not base.startswith("https://"):
        return ast
    slug, assets = ctx.article.slug, ctx.settings.assets_dir
    return doctree.map_images(ast, lambda src: email_image_url(src, base, slug, assets))


def check_email_images(ast: AST, ctx: RenderContext) -> None:
    """Every image needs alt text (screen readers, blocked images) and a public https URL.

    Checked at render time, so that a missing setting fails the email outputs only.
    """
    article, base = ctx.article, ctx.settings.email.asset_base_url
    for src, alt in doctree.images(ast):
        name = unquote(Path(src).name)
        offset = article.body.find(name)
        line = article.line_of(offset) if offset >= 0 else None
        if not alt.strip():
            raise SourceError(
                f"image '{name}' has no alt text; email needs it: "
                f"write ![what the picture shows](assets/{name})",
                path=article.path,
                line=line,
            )
        if src.startswith("https://"):
            continue
        if base:
            email_image_url(src, base, article.slug)  # raises: the base is not https://
        raise RenderError(
            f"image '{name}' needs a public address in email: set asset_base_url in "
            '[tool.publish.email] (e.g. "https://www.example.org/handouts/assets/")',
            path=article.path,
            line=line,
        )


def check_compliance(ctx: RenderContext) -> None:
    """CAN-SPAM and the 2024 Gmail/Yahoo sender rules: a postal address and a working opt-out."""
    if not ctx.brand.address.strip():
        raise ConfigError(
            "email needs the sender's postal address (CAN-SPAM): "
            "set address in [tool.publish.brand], "
            'e.g. address = "1200 Harbor Street, Portland, OR 97201"',
            path="pyproject.toml",
        )
    url = ctx.brand.email.unsubscribe_url.strip()
    if not url:
        raise ConfigError(
            "email needs an unsubscribe link (CAN-SPAM, RFC 8058): set unsubscribe_url in "
            '[tool.publish.email], e.g. "https://www.example.org/unsubscribe" '
            'or an ESP merge tag such as "*|UNSUB|*"',
            path="pyproject.toml",
        )
    if not (url.startswith(("https://", "mailto:")) or MERGE_TAG_RE.match(url)) or re.search(
        r"[\s<>\"]", url
    ):
        raise ConfigError(
            "[tool.publish.email] unsubscribe_url must be an https:// or mailto: address "
            f"or an ESP merge tag such as *|UNSUB|*, got '{url}'",
            path="pyproject.toml",
        )


def check_footer(html: str, ctx: RenderContext, name: str) -> None:
    """The page really shows the address and links the unsubscribe URL (templates change)."""
    extracted = visible_html(html)
    if not contains(normalize(extracted.text), ctx.brand.address):
        raise RenderError(
            "the postal address is missing from the email footer (check templates/email.html.j2)",
            path=name,
        )
    if ctx.brand.email.unsubscribe_url not in extracted.links:
        raise RenderError(
            "the unsubscribe link is missing from the email footer (check templates/email.html.j2)",
            path=name,
        )


def check_html_size(html: str, ctx: RenderContext, name: str) -> None:
    """Gmail clips messages with more than about 102 KB of HTML and hides the rest (the footer)."""
    limit = ctx.settings.email.max_html_kb
    size = len(html.encode("utf-8"))
    if size > limit * 1024:
        raise RenderError(
            f"the email HTML is {size / 1024:.1f} KB, over the {limit} KB limit (Gmail clips "
            "larger messages and hides the footer): shorten the article or raise max_html_kb "
            "in [tool.publish.email]",
            path=name,
        )


def clinic_css(css: str, color: str) -> str:
    """email.css with the clinic's colours written in: mail clients do not know CSS variables,
    so ``var(--brand)``, ``var(--brand-dark)`` and ``var(--brand-tint)`` become the colours."""
    for name, value in shades(color).items():
        css = css.replace(f"var(--{name})", value)
    return css


def render_email_html(ctx: RenderContext, body_html: str, footer_extra: dict[str, str] | None = None) -> str:
    """The complete email page, CSS inlined; shared by the .email.html and the .eml renderers."""
    env = ctx.env
    css = clinic_css((ctx.settings.templates_dir / "email.css").read_text(encoding="utf-8"), ctx.brand.color)
    page = env.get_template("email.html.j2").render(
        **ctx.template_vars(),
        body=Markup(label_cells(clean_html(body_html))),
        disclaimer_html=[Markup(clean_html(d.html)) for d in ctx.disclaimers],
        unsubscribe_url=ctx.brand.email.unsubscribe_url,
        footer_extra=footer_extra or {},
    )
    return inline_css(page, css)


@lru_cache(maxsize=2)
def inline_css(page: str, css: str) -> str:
    """``css`` and the page's own <style> rules written into its elements' style attributes.

    Kept for the last two pages: the .email.html and the .eml of an article inline the same page
    with the same CSS, one after the other in one worker, so the second is the first's result."""
    import css_inline  # small, but only email builds need it

    # email.css goes in as extra_css and every <style> of the template is kept: css-inline drops
    # even data-css-inline="ignore" blocks when keep_style_tags is off, and those hold the
    # media queries and the dark-mode rules that cannot be inlined.
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=True, extra_css=css)
    return str(inliner.inline(page))


def build_email_html(ctx: RenderContext, renderer_name: str, name: str) -> str:
    """Gate, render and check the page: what both email renderers send."""
    check_compliance(ctx)
    check_email_images(ctx.bodies[renderer_name].ast, ctx)
    html = render_email_html(ctx, ctx.bodies[renderer_name].outputs["html5"])
    check_footer(html, ctx, name)
    check_html_size(html, ctx, name)
    return html


class EmailHtmlRenderer(Format):
    name: ClassVar[str] = "email"
    suffix: ClassVar[str] = ".email.html"
    group: ClassVar[str] = "email"
    needs: ClassVar[tuple[Need, ...]] = (Need("html5"),)
    templates: ClassVar[tuple[str, ...]] = ("email.html.j2", "email.css")
    reader: ClassVar[str] = "html"
    media_type: ClassVar[str] = "text/html"
    cost: ClassVar[float] = 30.0
    settings_sections: ClassVar[tuple[str, ...]] = ("brand", "email")

    def validate(self, settings: Any) -> list[str]:
        """Every clinic that gets email needs a postal address, an opt-out and a sender."""
        return [line for brand in settings.brands.values() for line in email_problems(brand)]

    def prepare_ast(self, ast: AST, ctx: RenderContext) -> tuple[AST, dict[str, Any]]:
        return prepare_email_ast(ast, ctx), {}

    def render(self, ctx: RenderContext) -> bytes:
        return build_email_html(ctx, self.name, self.filename(ctx.article.slug)).encode("utf-8")
