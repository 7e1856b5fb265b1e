"""Test helpers for the email outputs: a built email project, .eml parsing, a tiny PNG."""

from __future__ import annotations

import base64
import email
from email import policy
from email.message import EmailMessage
from pathlib import Path

from conftest import Project

ASSET_BASE = "https://cdn.riverside.example/handouts/assets/"
# A real 1x1 PNG: enough for an <img> that loads.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
PICTURE_ARTICLE = """
Keep your medicines in a box like this one, out of reach of children.

![A weekly pill box with seven compartments, one for each day](<assets/pill box.png>)

::: {.content-visible when-format="email"}
Reply to this email if you have a question for our pharmacist.
:::
"""


def parse(data: bytes) -> EmailMessage:
    msg = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def parts(msg: EmailMessage) -> list[EmailMessage]:
    return [p for p in msg.iter_parts() if isinstance(p, EmailMessage)]


def text_and_html(msg: EmailMessage) -> tuple[str, str]:
    """Both parts' content with the wire format's CRLF turned back into LF."""
    text_part, html_part = parts(msg)
    return tuple(str(p.get_content()).replace("\r\n", "\n") for p in (text_part, html_part))  # type: ignore[return-value]


def add_picture_article(project: Project, slug: str = "pill-box") -> None:
    assets = project.source / "assets"
    assets.mkdir(exist_ok=True)
    (assets / "pill box.png").write_bytes(PNG)
    project.article(slug, PICTURE_ARTICLE, title='"Using a Pill Box"')


def emls(build: Path) -> dict[str, Path]:
    return {p.parent.name: p for p in sorted(build.glob("*/*.eml"))}
