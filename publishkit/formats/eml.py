"""The newsletter as a ready-to-send .eml: multipart/alternative, text part first, safe headers."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import ConfigError, PublishError, SourceError
from ..kit.doctree import AST
from ..model.approval import EMAIL_DRAFT_PREFIX
from ..model.brands import email_problems
from .base import Format, Need
from .context import RenderContext
from .email_html import MERGE_TAG_RE, build_email_html, check_compliance, prepare_email_ast
from .text import TextRenderer, brand_line, plain_document

if TYPE_CHECKING:
    from email.message import EmailMessage

PYPROJECT = "pyproject.toml"


def unsafe_reason(value: str) -> str | None:
    """Why ``value`` must not reach a mail header, or None when it is safe.

    Python 3.11.7's email package turns an encoded newline (``=?UTF-8?Q?=0A?=``) into a new
    header when it refolds (CVE-2024-6923), and a raw CR or LF is a header injection anywhere:
    refuse both rather than trust the library to quote them.
    """
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            return f"a control character (U+{ord(ch):04X})"
    if "=?" in value:
        return "an encoded-word sequence '=?' (RFC 2047)"
    return None


def safe_header(
    value: str,
    what: str,
    *,
    path: str | Path,
    line: int | None = None,
    error: type[PublishError] = ConfigError,
) -> str:
    reason = unsafe_reason(value)
    if reason:
        raise error(
            f"{what} contains {reason}, which could add or change mail headers; remove it: {value!r}",
            path=path,
            line=line,
        )
    return value


def _front_matter_line(ctx: RenderContext, *keys: str) -> int | None:
    """File line of the first of ``keys`` found in the front matter, for the error message."""
    lines = ctx.article.path.read_text(encoding="utf-8").splitlines()[: ctx.article.body_line]
    for key in keys:
        for number, line in enumerate(lines, 1):
            if re.match(rf"\s*{re.escape(key)}\s*:", line):
                return number
    return None


def _address(value: str, key: str) -> tuple[str, str]:
    """A checked single mailbox from [tool.publish.email]: (header value, domain)."""
    from email import policy  # the email package: 10 ms to import, only when an .eml is made

    safe_header(value, f"[tool.publish.email] {key}", path=PYPROJECT)
    header = policy.default.header_factory(key.title().replace("_", "-"), value)
    addresses: Any = getattr(header, "addresses", ())
    if len(addresses) != 1 or header.defects or not addresses[0].domain or "." not in addresses[0].domain:
        raise ConfigError(
            f"[tool.publish.email] {key} must be one address such as "
            f"'Clinic Name <news@clinic.example>', got '{value}'",
            path=PYPROJECT,
        )
    return value, addresses[0].domain


def _boundary(*parts: str) -> str:
    # Stable across builds (reproducible bytes) and impossible inside quoted-printable text,
    # where every '=' is an escape: '==' never occurs there.
    digest = hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:24]
    return f"==publishkit-{digest}=="


def text_part(ctx: RenderContext, body_plain: str, refs: list[tuple[int, str]]) -> str:
    """The plain-text document plus the footer a bulk email must carry, at 72 columns."""
    brand = ctx.brand
    url = ctx.brand.email.unsubscribe_url
    footer = [
        brand_line(brand),
        ctx.t.gettext(
            "You receive this email from {clinic}. To unsubscribe, visit {url}", clinic=brand.name, url=url
        ),
    ]
    return plain_document(ctx, body_plain, refs, footer)


def build_message(ctx: RenderContext, text: str, html: str) -> EmailMessage:
    """The message with every header checked; raises a PublishError naming the bad value."""
    from email import policy
    from email.message import EmailMessage
    from email.utils import format_datetime

    settings = ctx.brand.email
    article = ctx.article
    subject_key = "subject" if article.meta.email_subject else "title"
    subject = safe_header(
        article.meta.subject,
        f"the email subject ('{subject_key}' in the front matter)",
        path=article.path,
        line=_front_matter_line(ctx, *(("subject", "email") if subject_key == "subject" else ("title",))),
        error=SourceError,
    )
    if not settings.from_:
        raise ConfigError(
            "the .eml needs a sender: set from in [tool.publish.email], e.g. "
            'from = "Clinic Name <news@clinic.example>"',
            path=PYPROJECT,
        )
    sender, domain = _address(settings.from_, "from")
    unsubscribe = safe_header(
        settings.unsubscribe_url, "[tool.publish.email] unsubscribe_url", path=PYPROJECT
    )
    reference = safe_header(ctx.reference, "the reference line", path=article.path)

    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = (EMAIL_DRAFT_PREFIX if ctx.approval.draft else "") + subject
    msg["From"] = sender
    if settings.reply_to:
        msg["Reply-To"] = _address(settings.reply_to, "reply_to")[0]
    msg["Date"] = format_datetime(ctx.built_at)
    clinic = "" if ctx.brand.id == "default" else f".{ctx.brand.id}"
    msg["Message-ID"] = f"<{article.slug}{clinic}.{article.sha256[:16]}@{domain}>"
    msg["List-Unsubscribe"] = f"<{unsubscribe}>"
    if not unsubscribe.startswith("mailto:"):
        # RFC 8058 one-click needs an https URL (an ESP merge tag becomes one at sending time).
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["X-Publishkit-Ref"] = reference
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    msg.set_boundary(_boundary(text, html))
    # After add_alternative, which moves every Content-* header down into the text part.
    msg["Content-Language"] = article.meta.language
    return msg


class EmlRenderer(Format):
    name: ClassVar[str] = "eml"
    suffix: ClassVar[str] = ".eml"
    group: ClassVar[str] = "email"
    needs: ClassVar[tuple[Need, ...]] = (Need("html5"), Need("plain"))
    templates: ClassVar[tuple[str, ...]] = ("email.html.j2", "email.css", "text.txt.j2")
    reader: ClassVar[str] = "parts"
    media_type: ClassVar[str] = "message/rfc822"
    cost: ClassVar[float] = 30.0
    settings_sections: ClassVar[tuple[str, ...]] = ("brand", "email")

    def validate(self, settings: Any) -> list[str]:
        """Every clinic that gets email needs a postal address, an opt-out and a sender."""
        return [line for brand in settings.brands.values() for line in email_problems(brand)]

    @property
    def visibility(self) -> str:
        return "email"  # the .eml is the email: ``when-format="email"`` blocks belong in it

    def prepare_ast(self, ast: AST, ctx: RenderContext) -> tuple[AST, dict[str, Any]]:
        html_ast = prepare_email_ast(ast, ctx)
        plain_ast, extra = TextRenderer().prepare_ast(html_ast, ctx)
        return html_ast, {"refs": extra["refs"], "writer_asts": {"plain": plain_ast}}

    def render(self, ctx: RenderContext) -> bytes:
        check_compliance(ctx)
        body = ctx.bodies[self.name]
        html = build_email_html(ctx, self.name, self.filename(ctx.article.slug))
        text = text_part(ctx, body.outputs["plain"], list(body.extra["refs"]))
        return build_message(ctx, text, html).as_bytes()


__all__ = ["MERGE_TAG_RE", "EmlRenderer", "build_message", "safe_header", "unsafe_reason"]
