"""Clinics: the default one and ``[tool.publish.brands.<id>]``, their email identity, readable colours."""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any

from .colour import contrast, mix
from .types import (
    AssetPath,
    Colour,
    LangTags,
    Mailbox,
    SourceYaml,
    UnsubscribeUrl,
    Url,
    build_table,
    received,
)

DEFAULT = "default"
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MIN_CONTRAST = 4.5  # WCAG 2.x, level AA, normal-size text
WHITE, BLACK = "#FFFFFF", "#000000"


@dataclass(frozen=True)
class EmailIdentity:
    """Who a clinic's email comes from, and where its readers unsubscribe."""

    from_: Mailbox = ""
    reply_to: Mailbox = ""
    unsubscribe_url: UnsubscribeUrl = ""


@dataclass(frozen=True)
class Brand:
    """One clinic: what every output shows of it, its colour and logo, its own disclaimers."""

    id: str = DEFAULT
    name: str = "Your Clinic"
    address: str = ""
    phone: str = ""
    website: Url = ""
    color: Colour = "#1F5F7A"
    logo: AssetPath = ""  # a file under source/assets/, e.g. "logo.png"
    registry: SourceYaml = ""  # a file under source/ laid over disclaimers.yaml for this clinic
    email: EmailIdentity = field(default_factory=EmailIdentity)
    require_approval: bool = False  # this clinic's outputs are drafts until approved
    taglines: LangTags = ()  # language-access taglines to print, by tag (source/taglines.yaml)


def key_path(brand_id: str, key: str) -> str:
    """Where a clinic's setting lives: the default clinic's email identity is [tool.publish.email]."""
    if brand_id == DEFAULT:
        section, _, name = key.rpartition(".")
        return f"tool.publish.{section or 'brand'}.{name}"
    return f"tool.publish.brands.{brand_id}.{key}"


def load_brands(default: Any, extra: Any, identity: EmailIdentity, errors: list[str]) -> dict[str, Brand]:
    """``default`` is [tool.publish.brand] (its email identity comes from [tool.publish.email]),
    ``extra`` is [tool.publish.brands]; the default clinic first, then the others in file order."""
    own = ("id", "registry", "email")  # not keys of [tool.publish.brand]
    first: Brand = build_table(Brand, default, "tool.publish.brand", errors, skip=own)
    brands = {DEFAULT: dataclasses.replace(first, email=identity)}
    if not isinstance(extra, dict):
        errors.append(f"tool.publish.brands: expected a table of clinics {received(extra)}")
        extra = {}
    for brand_id, table in extra.items():
        where = f"tool.publish.brands.{brand_id}"
        if brand_id == DEFAULT or not ID_RE.match(brand_id):
            errors.append(
                f"{where}: a clinic id is lower-case letters, digits and hyphens, not 'default' "
                f'(e.g. "eastside") {received(brand_id)}'
            )
            continue
        if isinstance(table, dict) and "name" not in table:
            errors.append(f"{where}.name: required: the clinic's name as every output shows it")
        brand: Brand = build_table(Brand, table, where, errors, skip=("id",))
        brands[brand_id] = dataclasses.replace(brand, id=brand_id)
    for brand in brands.values():
        problem = colour_problem(brand.color)
        if problem:
            errors.append(f"{key_path(brand.id, 'color')}: {problem}")
    return brands


def shades(color: str) -> dict[str, str]:
    """The clinic colour and the two the templates derive from it (handout.css --brand-dark,
    --brand-tint; the DOCX summary shading): every format mixes them the same way."""
    return {"brand": color, "brand-dark": mix(color, BLACK, 0.25), "brand-tint": mix(color, WHITE, 0.9)}


# Every (text, background) pair in which a clinic colour takes part, in the order they are
# reported: only the first that fails is named, so one bad colour is one error line.
COLOUR_PAIRS = (
    ("brand", WHITE),  # DOCX headings and links; email links
    ("brand-dark", WHITE),  # PDF title, headings, links, clinic name; email headings
    ("brand-dark", "brand-tint"),  # PDF table header row
    ("#1C2A31", "brand-tint"),  # PDF summary box (handout.css --text)
    ("#222222", "brand-tint"),  # DOCX summary and table header (make_reference_docx.py INK)
    (WHITE, "brand"),  # email masthead: clinic name
    ("brand-tint", "brand"),  # email masthead: contact line
)


def colour_problem(color: str) -> str | None:
    """Why ``color`` cannot be a clinic colour (a pair below 4.5:1), or None."""
    named = shades(color)
    for fg_role, bg_role in COLOUR_PAIRS:
        fg, bg = named.get(fg_role, fg_role), named.get(bg_role, bg_role)
        ratio = contrast(fg, bg)
        if ratio < MIN_CONTRAST:
            shown = math.floor(ratio * 100) / 100  # never round a failing ratio up to 4.50
            return (
                f"{_describe(fg_role, fg, color)} on {_describe(bg_role, bg, color)} has a contrast "
                f"of {shown:.2f}:1; text needs at least {MIN_CONTRAST}:1 (WCAG 2.x)"
            )
    return None


def _describe(role: str, value: str, color: str) -> str:
    if value == WHITE:
        return "white"
    if role == "brand-dark":
        return f"{value} (the darker shade of {color})"
    if role == "brand-tint":
        return f"{value} (the pale tint of {color})"
    return value


def email_problems(brand: Brand) -> list[str]:
    """What a clinic lacks to send email (CAN-SPAM, RFC 8058): a postal address, an unsubscribe
    link and a sender. One line each with its key path; for the email formats' validate()."""
    problems = []
    if not brand.address.strip():
        problems.append(
            f"{key_path(brand.id, 'address')}: required for email (CAN-SPAM): the clinic's postal "
            'address, e.g. "1200 Harbor Street, Portland, OR 97201"'
        )
    if not brand.email.unsubscribe_url:
        problems.append(
            f"{key_path(brand.id, 'email.unsubscribe_url')}: required for email (CAN-SPAM, RFC 8058): "
            'e.g. "https://www.example.org/unsubscribe" or an ESP merge tag such as "*|UNSUB|*"'
        )
    if not brand.email.from_:
        problems.append(
            f"{key_path(brand.id, 'email.from')}: required for email: the sender, "
            'e.g. "Clinic Name <news@clinic.example>"'
        )
    return problems
