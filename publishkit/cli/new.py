"""``publish.py new "Title"``: write source/<slug>.md from the skeleton, never over an existing file."""

from __future__ import annotations

import argparse
import unicodedata
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..model.article import SLUG_RE
from ..model.scaffold import PLACEHOLDER, skeleton, slugify
from ..model.settings import load_settings
from .console import EXIT_OK


def add_parser(sub: Any) -> None:
    sp = sub.add_parser(
        "new", help='start a new article: source/<slug>.md from a title, e.g. new "Sleep basics"'
    )
    sp.add_argument("title", help="the article's title, in quotes")
    sp.add_argument("--slug", help="the file name to use (default: made from the title)")
    sp.set_defaults(run=run)


def run(args: argparse.Namespace, root: Path) -> int:
    settings = load_settings(root)
    title = " ".join(args.title.split())
    # Cs: a title that was not UTF-8 on the command line (Python keeps its bytes as surrogates).
    if not title or any(unicodedata.category(ch) in ("Cc", "Cs") for ch in title):
        raise SourceError(f"the title must be text on one line, got {args.title!r}", category="new")
    slug = args.slug if args.slug is not None else slugify(title)
    if not SLUG_RE.match(slug):
        what = f"--slug '{slug}' is not" if args.slug is not None else f"the title '{title}' gives no"
        raise SourceError(
            f"{what} valid file name: give one with --slug, in lower-case letters, digits and "
            "hyphens, e.g. --slug sleep-basics",
            category="new",
        )
    path = settings.source_dir / f"{slug}.md"
    if not settings.source_dir.is_dir():
        raise SourceError(f"the source folder {settings.source}/ does not exist", category="new")
    text = skeleton(settings, title)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as fh:  # "x": never overwrite
            fh.write(text)
    except FileExistsError:
        raise SourceError(
            "already exists, so it was left as it is: edit it, or choose another title or --slug",
            path=path,
            category="new",
        ) from None
    rel = path.relative_to(root) if path.is_relative_to(root) else path
    print(
        f"Wrote {rel}. Replace every {PLACEHOLDER} line with your own words "
        "(`check` reports each one until you do), then run: python publish.py all"
    )
    return EXIT_OK
