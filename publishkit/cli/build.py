"""``publish.py all`` and one word per format group (pdf, docx, email, text): build into build/."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .console import EXIT_FAILED, EXIT_OK, print_problems, summary


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, got '{value}'")
    return int(value)


def add_parser(sub: Any) -> None:
    from ..formats import GROUPS

    for word in ["all", *GROUPS]:
        help_ = "build every format" if word == "all" else f"build the {word} output only"
        sp = sub.add_parser(word, help=help_)
        sp.add_argument("slugs", nargs="*", metavar="SLUG", help="articles to build (default: all)")
        sp.add_argument("--strict", action="store_true", help="treat warnings as errors")
        sp.add_argument("--quiet", action="store_true", help="print only problems")
        sp.add_argument("--force", action="store_true", help="rebuild even what is up to date")
        if word in ("all", "pdf"):  # the only commands that make a handout: elsewhere it would do nothing
            sp.add_argument(
                "--large-print", action="store_true", help="PDF handouts in large print (18 pt body text)"
            )
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
    from ..model.settings import load_settings
    from ..pipeline.build import build

    settings = load_settings(root)
    if getattr(args, "large_print", False):  # the flag overrides [tool.publish.pdf] large_print
        settings = dataclasses.replace(settings, pdf=dataclasses.replace(settings.pdf, large_print=True))
    formats = list(REGISTRY) if args.command == "all" else list(GROUPS[args.command])
    progress, bar = _progress(args.quiet)
    try:
        report = build(
            settings,
            formats,
            args.slugs,
            force=args.force,
            strict=args.strict,
            jobs=args.jobs,
            progress=progress,
            checks=args.command == "all",
        )
    finally:
        if bar is not None:
            bar.stop()
    print_problems(report, root)
    if not args.quiet:
        summary(report, formats)
    failed = not report.ok or (args.strict and report.warnings)
    return EXIT_FAILED if failed else EXIT_OK
