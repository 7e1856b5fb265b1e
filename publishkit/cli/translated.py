"""``publish.py translated <slug>.<L>``: record which version of the original a translation translates."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .console import EXIT_OK


def add_parser(sub: Any) -> None:
    sp = sub.add_parser(
        "translated",
        help="record that a translation is up to date with its original (source/<slug>.<L>.translated.yaml)",
    )
    sp.add_argument("translation", metavar="SLUG.LANG", help="the translation, e.g. sleep-basics.es")
    sp.add_argument("--quiet", action="store_true", help="print only problems")
    sp.set_defaults(run=run)


def run(args: argparse.Namespace, root: Path) -> int:
    from ..errors import SourceError
    from ..kit.fsutil import write_atomic
    from ..model.article import load_article
    from ..model.langtag import split_stem
    from ..model.settings import build_time, load_settings
    from ..model.translation import original_path, record_path, record_text
    from ..pipeline.sources import slug_of

    settings = load_settings(root)
    name = slug_of(settings, args.translation)
    slug, tag = split_stem(name)
    path = settings.source_dir / f"{name}.md"
    if not tag:
        raise SourceError(
            f"'{args.translation}' is not a translation: name one as <slug>.<language>, e.g. {slug}.es"
        )
    if not path.is_file():
        raise SourceError(f"no translation '{name}' in {settings.source}/ (source/{name}.md)")
    article = load_article(path, settings.limits)
    original = load_article(original_path(article), settings.limits)
    today = build_time().date()
    target = record_path(article)
    write_atomic(target, record_text(article, original, today).encode("utf-8"))
    if not args.quiet:
        print(f"Recorded {path.name} as the translation of {original.path.name} as of {today}: {target.name}")
    return EXIT_OK
