"""The command line: parse arguments, run a command, print one line per problem, set the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import PublishError
from .console import EXIT_FAILED, EXIT_OK, format_error, print_problems, summary


def cmd_build(args: argparse.Namespace, root: Path) -> int:
    from ..formats import GROUPS, REGISTRY
    from ..model.settings import load_settings
    from ..pipeline.build import build

    settings = load_settings(root)
    editions = list(getattr(args, "edition", None) or [])
    if getattr(args, "large_print", False):  # short for --edition large-print
        editions.append("large-print")
    formats = list(REGISTRY) if args.command == "all" else list(GROUPS[args.command])
    interactive = sys.stderr.isatty() and not args.quiet
    progress_cb = None
    bar = None
    if interactive:
        from rich.progress import Progress

        bar = Progress(transient=True)
        task_id = bar.add_task("Publishing", total=None)
        bar.start()
        progress_cb = lambda _o: bar.advance(task_id)  # noqa: E731
    elif not args.quiet:

        def progress_cb(o):  # type: ignore[no-untyped-def]
            if o.status != "failed":
                print(f"{o.status:9} {o.path}", flush=True)

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
            progress=progress_cb,
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


def cmd_verify(args: argparse.Namespace, root: Path) -> int:
    from ..model.settings import load_settings
    from ..pipeline.verify import verify

    checked, problems = verify(load_settings(root), args.slugs)
    for p in problems:
        print(f"Error: verify: {p.path}: {p.message}", file=sys.stderr)
    if not args.quiet:
        status = "all good" if not problems else f"{len(problems)} problem(s)"
        print(f"Verified {checked} output(s) against build/manifest.json: {status}")
    return EXIT_FAILED if problems else EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Path], int]] = {"verify": cmd_verify}


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, got '{value}'")
    return int(value)


def parser() -> argparse.ArgumentParser:
    from ..formats import GROUPS, REGISTRY

    p = argparse.ArgumentParser(
        prog="publish.py",
        description="Publish health articles from source/ as PDF handouts, DOCX, email and plain text.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build_words = ["all", *GROUPS]
    for word in build_words:
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
        names = list(REGISTRY) if word == "all" else GROUPS[word]
        editions = sorted({e for n in names for e in REGISTRY[n].editions}, key=lambda e: e != "standard")
        if len(editions) > 1:  # only where a format makes another edition: elsewhere it would do nothing
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
        sp.add_argument(
            "--jobs",
            type=_positive,
            default=os.cpu_count() or 1,
            metavar="N",
            help="worker processes (default: cores)",
        )
        COMMANDS[word] = cmd_build
    sp = sub.add_parser("verify", help="re-check build/ against the manifest and the approved disclaimers")
    sp.add_argument("slugs", nargs="*", metavar="SLUG", help="articles to verify (default: all)")
    sp.add_argument("--quiet", action="store_true", help="print only problems")
    from .send import add_parser as add_send_parser
    from .send import cmd_send

    add_send_parser(sub)
    COMMANDS["send"] = cmd_send
    from .check import add_parser, cmd_check

    add_parser(sub)
    COMMANDS["check"] = cmd_check
    from . import translated

    translated.add_parser(sub)
    COMMANDS["translated"] = translated.cmd_translated
    from ..model import scaffold
    from ..pipeline import clean, watch

    for module, word, command in (
        (watch, "watch", watch.cmd_watch),
        (scaffold, "new", scaffold.cmd_new),
        (clean, "clean", clean.cmd_clean),
    ):
        module.add_parser(sub)
        COMMANDS[word] = command
    return p


def main(argv: Sequence[str] | None = None, root: Path | None = None) -> int:
    root = root or Path.cwd()
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, root)
    except PublishError as exc:
        print(format_error(exc, root), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
