"""PDF handout: Jinja2 page and handout.css laid out by WeasyPrint; fetches locked down."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from markupsafe import Markup

from .. import __version__
from ..errors import ConfigError, PublishError, RenderError
from ..kit.assetfetch import make_fetcher
from ..kit.i18n import page_label_css
from ..kit.sanitize import clean_html
from ..kit.timelimit import time_limit
from ..kit.weasyload import load_weasyprint
from ..model.assets import locate_image
from ..model.brands import shades
from .base import Format, Need
from .context import RenderContext

PDF_VARIANT = "pdf/ua-1"
FETCH_TIMEOUT = 10.0  # seconds for any one file the handout reads

# One warm WeasyPrint state per process: font setup is the slow part of the first render.
_FONT_CONFIGS: dict[Path, Any] = {}
# The page's stylesheet, parsed once per process for each text (a clinic, an edition, a draft mark
# and a page size make a few texts): parsing handout.css was about 25 ms of every handout.
_STYLESHEETS: dict[tuple[Path, str], Any] = {}
_MADE_BY: dict[Path, int] = {}  # the process that made each font configuration
_RELEASE_AT_EXIT: dict[str, int] = {}  # the process release_fonts is registered for
STYLESHEETS_KEPT = 16  # a watching process sees a new text at every edit of handout.css
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)


def _font_config(templates_dir: Path) -> Any:
    import multiprocessing.util  # here, not at the start of every command (5 ms)

    from weasyprint.text.fonts import FontConfiguration

    key = templates_dir.resolve()
    if key not in _FONT_CONFIGS:
        _FONT_CONFIGS[key] = FontConfiguration()
        _MADE_BY[key] = os.getpid()
        if _RELEASE_AT_EXIT.get("pid") != os.getpid():
            # Run at this process's exit, a worker's too (multiprocessing runs these in its
            # children, where atexit does not run; in the main process from atexit).
            multiprocessing.util.Finalize(None, release_fonts, exitpriority=1)
            _RELEASE_AT_EXIT["pid"] = os.getpid()
    return _FONT_CONFIGS[key]


def release_fonts() -> None:
    """Delete the folders this process's font configurations copied the handout's @font-face
    fonts into. WeasyPrint does it in FontConfiguration.__del__, which never ran for a kept one:
    a worker leaves without finalizing, and at interpreter shutdown __del__ fails (its module is
    torn down), so every build left about 1.5 MB in the temporary folder. A configuration a
    forked process inherited belongs to its parent, which still uses it: left alone."""
    _STYLESHEETS.clear()
    for key, config in list(_FONT_CONFIGS.items()):
        folder = getattr(config, "_folder", None)  # where WeasyPrint's own __del__ looks
        if folder and _MADE_BY.get(key) == os.getpid():
            shutil.rmtree(folder, ignore_errors=True)
        config._folder = None  # nothing left for __del__ to do, now or at shutdown
        del _FONT_CONFIGS[key]


def split_style(page: str) -> tuple[str, str]:
    """The page without its first ``<style>`` element (the template's, in the head: the body's
    HTML is sanitized and has none), and that element's CSS ("" when the page has none)."""
    found = _STYLE.search(page)
    if found is None:
        return page, ""
    return page[: found.start()] + page[found.end() :], found.group(1)


def handout_stylesheet(css: str, templates_dir: Path, fetcher: Any) -> Any:
    """The page's CSS as a WeasyPrint stylesheet, parsed once per process for each text.

    It is given to WeasyPrint as the page's only stylesheet besides the user agent's (the body has
    no style element and no style attribute: kit/sanitize.py), so its rules cascade among
    themselves exactly as they did inside the page. Its @font-face rules register the fonts in
    the process's FontConfiguration, which every handout of that templates folder shares."""
    from weasyprint import CSS

    key = (templates_dir.resolve(), css)
    sheet = _STYLESHEETS.get(key)
    if sheet is None:
        sheet = CSS(
            string=css,
            base_url=templates_dir.resolve().as_uri() + "/",
            url_fetcher=fetcher,
            font_config=_font_config(templates_dir),
        )
        if len(_STYLESHEETS) >= STYLESHEETS_KEPT:
            del _STYLESHEETS[next(iter(_STYLESHEETS))]  # the oldest
        _STYLESHEETS[key] = sheet
    return sheet


def write_handout(page: str, templates_dir: Path, fetcher: Any, **options: Any) -> Any:
    """WeasyPrint's PDF of a handout page, its stylesheet parsed once per process."""
    weasyprint = load_weasyprint()
    page, css = split_style(page)
    sheets = [handout_stylesheet(css, templates_dir, fetcher)] if css else []
    document = weasyprint.HTML(
        string=page, base_url=templates_dir.resolve().as_uri() + "/", url_fetcher=fetcher
    )
    return document.write_pdf(stylesheets=sheets, font_config=_font_config(templates_dir), **options)


def brand_css(color: str) -> str:
    """The clinic's colours as the CSS variables handout.css uses (checked at load: settings)."""
    variables = "; ".join(f"--{name}: {value}" for name, value in shades(color).items())
    return f":root {{ {variables}; }}"


def logo_uri(ctx: RenderContext) -> str:
    """The clinic logo as a file URI, only if it is a real file in source/assets/ (no symlinks)."""
    logo = ctx.brand.logo
    if not logo:
        return ""
    try:
        path = locate_image(
            f"assets/{logo}",
            ctx.settings.assets_dir,
            path=ctx.settings.root / "pyproject.toml",
            line=0,
            error=ConfigError,
        )
    except ConfigError as exc:
        # The image check's wording, about the setting instead of an article's image.
        what = exc.message.replace(f"image 'assets/{logo}'", f"[tool.publish.brand] logo '{logo}'", 1)
        raise ConfigError(
            f'{what} (e.g. logo = "logo.png" for source/assets/logo.png)', path=exc.path
        ) from None
    return path.as_uri()


def pdf_identifier(ctx: RenderContext) -> bytes:
    """A pinned /ID from the inputs and the build clock, so the same build gives the same bytes."""
    seed = f"{ctx.reference}|{ctx.built_at.isoformat()}|{ctx.variant.edition == 'large-print'}"
    if ctx.brand.id != "default":  # each clinic's handout is a document of its own
        seed += f"|{ctx.brand.id}"
    return hashlib.sha256(seed.encode()).hexdigest()[:32].encode()


def handout_html(ctx: RenderContext, body_html: str) -> str:
    """The complete handout page that WeasyPrint lays out."""
    settings = ctx.settings
    brand = ctx.brand
    css = (settings.templates_dir / "handout.css").read_text(encoding="utf-8")
    css += "\n" + brand_css(brand.color)
    contact = [x for x in (brand.address, brand.phone, brand.website.removeprefix("https://")) if x]
    return ctx.env.get_template("handout.html.j2").render(
        **ctx.template_vars(),
        body=Markup(clean_html(body_html, allow_relative=True)),
        disclaimer_html=[Markup(clean_html(d.html, allow_relative=True)) for d in ctx.disclaimers],
        css=Markup(css),
        page_size=settings.pdf.page_size,
        large_print=ctx.variant.edition == "large-print",
        logo_src=logo_uri(ctx),
        contact=contact,
        version=__version__,
        built_iso=ctx.built_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        page_label_css=Markup(page_label_css(ctx.t)),
    )


@dataclass(frozen=True)
class Handout:
    """A handout as WeasyPrint lays it out: its page (made with this process's templates) and
    what the layout may read; picklable, for a helper process."""

    page: str
    templates_dir: Path
    allowed: tuple[Path, ...]  # the folders its files may come from
    timeout: float  # seconds for the whole layout
    identifier: bytes  # the PDF's /ID
    name: str  # the output's file name, for errors


class PdfRenderer(Format):
    name: ClassVar[str] = "pdf"
    suffix: ClassVar[str] = ".pdf"
    group: ClassVar[str] = "pdf"
    needs: ClassVar[tuple[Need, ...]] = (Need("html5"),)
    templates: ClassVar[tuple[str, ...]] = ("handout.html.j2", "handout.css")
    reader: ClassVar[str] = "pages"
    settings_sections: ClassVar[tuple[str, ...]] = ("brand", "pdf")
    fonts: ClassVar[bool] = True
    editions: ClassVar[tuple[str, ...]] = ("standard", "large-print")
    preview: ClassVar[str] = "pages"
    media_type: ClassVar[str] = "application/pdf"
    cost: ClassVar[float] = 400.0  # laid out by WeasyPrint and read back
    offload: ClassVar[bool] = True

    def warm_up(self, settings: Any, rehearse: bool = True) -> None:
        """Import WeasyPrint; with ``rehearse``, load the handout's fonts with a one-line page too
        (85 ms that save the first handout 30: only worth it while waiting for work)."""
        weasyprint = load_weasyprint()
        if not rehearse:
            return

        css = (settings.templates_dir / "handout.css").read_text(encoding="utf-8")
        css += "\n" + brand_css(settings.brand.color)
        page = f"<html><head><style>{css}</style></head><body><p>a <b>b</b> <i>c</i></p></body></html>"
        weasyprint.HTML(
            string=page,
            base_url=settings.templates_dir.resolve().as_uri() + "/",
            url_fetcher=make_fetcher((settings.assets_dir, settings.templates_dir), settings.pdf.timeout),
        ).write_pdf(font_config=_font_config(settings.templates_dir))

    def render(self, ctx: RenderContext) -> bytes:
        return self.lay_out(self.compose(ctx))

    def compose(self, ctx: RenderContext) -> Handout:
        settings = ctx.settings
        return Handout(
            page=handout_html(ctx, ctx.bodies[self.name].outputs["html5"]),
            templates_dir=settings.templates_dir,
            allowed=(settings.assets_dir, settings.templates_dir),
            timeout=settings.pdf.timeout,
            identifier=pdf_identifier(ctx),
            name=self.filename(ctx.article.slug),
        )

    def lay_out(self, composed: Any) -> bytes:
        load_weasyprint()
        from weasyprint.urls import FatalURLFetchingError

        handout: Handout = composed
        name = handout.name
        # Only local files are allowed, so a fixed short limit per file is plenty.
        fetcher = make_fetcher(handout.allowed, FETCH_TIMEOUT)
        try:
            with time_limit(handout.timeout, "laying out the handout", name):
                data = write_handout(
                    handout.page,
                    handout.templates_dir,
                    fetcher,
                    pdf_variant=PDF_VARIANT,
                    pdf_identifier=handout.identifier,
                    custom_metadata=True,
                )
        except FatalURLFetchingError as exc:
            if isinstance(exc.__cause__, PublishError):  # ours, raised inside the fetcher: say it as is
                raise exc.__cause__ from None
            if fetcher.refused:
                raise RenderError(
                    f"the handout may not read '{fetcher.refused[0]}': only files in "
                    "source/assets/ and templates/ and data: URLs are allowed "
                    "(no http, https or other files)",
                    path=name,
                ) from None
            raise RenderError(f"could not read a file for the handout: {exc}", path=name) from None
        if not isinstance(data, bytes):
            raise RenderError("WeasyPrint returned no PDF", path=name)
        return data
