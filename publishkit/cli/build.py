"""``publish.py all`` and one word per format group (pdf, docx, email, text): build into build/."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .console import EXIT_FAILED, EXIT_OK, print_problems, summary
from .merge import add_shard_argument


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, got '{value}'")
    return int(value)


def _edition_options(sp: Any, names: Sequence[str]) -> None:
    """--edition and --large-print, only where a format makes another edition (else they would
    do nothing)."""
    from ..formats import REGISTRY

    editions = sorted({e for n in names for e in REGISTRY[n].editions}, key=lambda e: e != "standard")
    if len(editions) > 1:
        sp.add_argument(
            "--edition",
            action="append",
            choices=editions,
            help="only this edition (repeat for several; default: the editions in pyproject.toml)",
        )
    if "large-print" in editions:
        sp.add_argument(
            "--large-print",
            action="store_true",
            help="only the large-print edition (18 pt body text), beside the standard one",
        )


def add_parser(sub: Any) -> None:
    from ..formats import GROUPS, REGISTRY

    for word in ["all", *GROUPS]:
        help_ = "build every format" if word == "all" else f"build the {word} output only"
        sp = sub.add_parser(word, help=help_)
        sp.add_argument("slugs", nargs="*", metavar="SLUG", help="articles to build (default: all)")
        sp.add_argument("--strict", action="store_true", help="treat warnings as errors")
        sp.add_argument("--quiet", action="store_true", help="print only problems")
        sp.add_argument("--force", action="store_true", help="rebuild even what is up to date")
        sp.add_argument(
            "--brand",
            action="append",
            metavar="ID",
            help="only this clinic (repeat for several; default: every clinic in pyproject.toml)",
        )
        _edition_options(sp, list(REGISTRY) if word == "all" else GROUPS[word])
        add_shard_argument(sp)
        sp.add_argument(
            "--jobs",
            type=_positive,
            default=os.cpu_count() or 1,
            metavar="N",
            help="worker processes (default: cores)",
        )
        sp.set_defaults(run=run)


def _progress(quiet: bool) -> tuple[Callable[[Any], None] | None, Any]:
    """A progress bar on a terminal, one line per output in a log, nothing when quiet."""
    if sys.stderr.isatty() and not quiet:
        from rich.progress import Progress

        bar = Progress(transient=True)
        task_id = bar.add_task("Publishing", total=None)
        bar.start()
        return (lambda _o: bar.advance(task_id)), bar
    if quiet:
        return None, None

    def line(o: Any) -> None:
        if o.status != "failed":
            print(f"{o.status:9} {o.path}", flush=True)

    return line, None


def run(args: argparse.Namespace, root: Path) -> int:
    from ..formats import GROUPS, REGISTRY
    from ..pipeline.build import build
    from ..pipeline.settings import load_checked_settings

    formats = list(REGISTRY) if args.command == "all" else list(GROUPS[args.command])
    settings = load_checked_settings(root, formats)
    editions = list(getattr(args, "edition", None) or [])
    if getattr(args, "large_print", False):  # short for --edition large-print
        editions.append("large-print")
    progress, bar = _progress(args.quiet)
    try:
        report = build(
            settings,
            formats,
            args.slugs,
            brands=args.brand or (),
            editions=editions,
            force=args.force,
            strict=args.strict,
            jobs=args.jobs,
            progress=progress,
            checks=args.command == "all",
            shard=args.shard,
        )
    finally:
        if bar is not None:
            bar.stop()
    print_problems(report, root)
    if not args.quiet:
        summary(report, formats)
    failed = not report.ok or (args.strict and report.warnings)
    return EXIT_FAILED if failed else EXIT_OK
