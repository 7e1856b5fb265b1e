"""A new article's skeleton: valid front matter, marked lines to replace, and finding the marks."""

from __future__ import annotations

import json
import re
import unicodedata

from .article import Article
from .settings import Settings, build_time

MAX_SLUG = 60
# Every line of the skeleton that an author must replace carries this marker, and the content check
# reports each one as an error, so placeholder text can never reach a patient. With the markers
# taken out, the skeleton is plain words at about grade 4, main message first, ## sections, no
# promises: it passes `publish.py check --strict`, so the author starts from a clean slate.
PLACEHOLDER = "TODO:"
PLACEHOLDER_RE = re.compile(r"\bTODO\b")

BODY = """\
TODO: Start with the main message in one to three short sentences. Say what the reader should know
and what they should do next.

## What it is

TODO: Explain the topic in plain words. Keep each sentence short. Use the words your patients use
every day.

## What you can do

- TODO: Write one step on each line.
- TODO: Start each step with an action word, like "walk" or "write".

## When to call us

TODO: Tell the reader when to call the clinic, and how to reach us.{contact}
"""


PLACEHOLDER_MESSAGE = (
    f"placeholder text from `publish.py new` ('{PLACEHOLDER}'): replace it with your own words"
)


def placeholders(article: Article) -> list[int]:
    """The lines of an article that still hold the skeleton's marker. YAML comments in the front
    matter are notes to the author that no output shows, so they may keep one."""
    head = [
        n
        for n, line in enumerate(article.front_lines, 1)
        if PLACEHOLDER_RE.search(line) and not line.lstrip().startswith("#")
    ]
    body = [
        n for n, line in enumerate(article.body.split("\n"), article.body_line) if PLACEHOLDER_RE.search(line)
    ]
    return head + body


def slugify(title: str) -> str:
    """'Living with Anxiety: a Guide' -> 'living-with-anxiety-a-guide' (lower-case ASCII and hyphens)."""
    text = re.sub(r"['’]", "", unicodedata.normalize("NFKD", title))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > MAX_SLUG:  # cut at a word boundary
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG] else slug[:MAX_SLUG]
    return slug


def _quote(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML): colons, quotes and # stay text."""
    return json.dumps(value, ensure_ascii=False)


def skeleton(settings: Settings, title: str) -> str:
    brand = settings.brand
    lines = [
        "---",
        f"title: {_quote(title)}",
        f"summary: {_quote('TODO: One or two sentences on what this article is about and who it is for.')}",
        f"reviewed: {build_time().date().isoformat()}",
        "# reviewer: Dana Whitfield, MD    (the clinician who reviewed it; printed on every output)",
        f"author: {_quote(brand.name)}",
        "audience: patients",
        "language: en",
        "disclaimers: []   # ids from source/disclaimers.yaml that apply only on request",
        "tags: []",
        "# email:",
        "#   subject: A short subject line for the newsletter (default: the title)",
        "---",
        "",
    ]
    contact = f" Call us at {brand.phone}." if brand.phone else ""
    return "\n".join(lines) + "\n" + BODY.format(contact=contact)
