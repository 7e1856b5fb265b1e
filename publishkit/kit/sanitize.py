"""nh3 (Ammonia) settings for every HTML fragment that reaches an output: tags, attributes, URL schemes."""

from __future__ import annotations

import nh3

TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "a",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "del",
    "sup",
    "sub",
    "blockquote",
    "code",
    "pre",
    "br",
    "hr",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "colgroup",
    "col",
    "img",
    "figure",
    "figcaption",
    "section",
    "aside",
    "div",
    "span",
    "abbr",
    "small",
    "mark",
}
ATTRIBUTES = {
    "*": {"id", "class", "lang", "dir", "title"},
    "a": {"href", "role"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start", "type"},
    "col": {"span"},
    "li": {"value"},
}


def clean_html(fragment: str, *, schemes: set[str] | None = None, allow_relative: bool = False) -> str:
    """Sanitize a pandoc HTML fragment: no scripts, no event handlers, only allowed URL schemes.

    Relative URLs are removed unless ``allow_relative`` (the PDF renderer resolves
    ``assets/...`` itself, through its own URL fetcher); in-page ``#anchors`` are kept.
    """
    return nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=schemes or {"https", "http", "mailto", "tel"},
        link_rel="noopener noreferrer",
        url_relative="pass_through" if allow_relative else _relative_policy,
        strip_comments=True,
    )


def _relative_policy(url: str) -> str | None:
    # Only in-page anchors (footnotes, table of contents) survive; paths such as ../x or
    # /etc/passwd are dropped.
    return url if url.startswith("#") and "/" not in url else None
