"""The command line: parse arguments, run a command, print one line per problem, set the exit code."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import PublishError

if TYPE_CHECKING:
    from .build import Outcome, Report

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _rel(path: str | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(root.resolve()))
    except ValueError:
        return path


def format_error(exc: PublishError, root: Path, prefix: str = "Error") -> str:
    """``Error: <category>: <file>:<line>: <message>`` with the file relative to the project."""
    rel = _rel(exc.path, root)
    where = f"{rel}:{exc.line}" if rel and exc.line else rel
    return (
        f"{prefix}: {exc.category}: {where}: {exc.message}"
        if where
        else f"{prefix}: {exc.category}: {exc.message}"
    )


def _human_size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MB"


def cmd_build(args: argparse.Namespace, root: Path) -> int:
    from .build import build
    from .config import load_settings
    from .renderers import GROUPS, REGISTRY

    settings = load_settings(root)
    if getattr(args, "large_print", False):  # the flag overrides [tool.publish.pdf] large_print
        settings = dataclasses.replace(settings, pdf=dataclasses.replace(settings.pdf, large_print=True))
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
        _summary(report, formats)
    failed = not report.ok or (args.strict and report.warnings)
    return EXIT_FAILED if failed else EXIT_OK


def problem_lines(report: Report, root: Path, notes: bool = True, warnings: bool = True) -> list[str]:
    """A build's notes, warnings and errors, one line each, the way every command words them."""
    lines = [format_error(n, root, "Note") for n in report.notes] if notes else []
    if warnings:
        lines += [format_error(w, root, "Warning") for w in report.warnings]
    lines += [format_error(e, root) for e in report.errors]
    for o in report.outcomes:
        if o.error is not None:
            line = format_error(o.error, root)
            if line not in lines:  # an article-level error fails every format: say it once
                lines.append(line)
    return lines


def print_problems(report: Report, root: Path) -> None:
    for line in problem_lines(report, root):
        print(line, file=sys.stderr)


def _summary(report: Report, formats: Sequence[str]) -> None:
    """Article x format table: status and size. Articles with nothing rebuilt fold into one line."""
    from rich.console import Console
    from rich.table import Table

    by_slug: dict[str, dict[str, Outcome]] = {}
    for o in report.outcomes:
        by_slug.setdefault(o.slug, {})[o.format] = o
    table = Table(title="publishkit", show_lines=False)
    table.add_column("article", no_wrap=True)
    for fmt in formats:
        table.add_column(fmt, no_wrap=True)
    unchanged = 0
    for slug, row in by_slug.items():
        if all(o.status == "unchanged" for o in row.values()) and len(by_slug) > 1:
            unchanged += 1
            continue
        cells = []
        for fmt in formats:
            cell = row.get(fmt)
            if cell is None:
                cells.append("")
            elif cell.status == "failed":
                cells.append("[red]failed[/red]")
            else:
                mark = "built" if cell.status == "built" else "up to date"
                cells.append(f"{mark} {_human_size(cell.size)}")
        table.add_row(slug, *cells)
    # Not a terminal (a log, CI): do not squeeze the table into 80 columns.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    if table.row_count:
        console.print(table)
    if unchanged:
        console.print(f"{unchanged} article(s) up to date in every format.")


def cmd_verify(args: argparse.Namespace, root: Path) -> int:
    from .config import load_settings
    from .verify import verify

    checked, problems = verify(load_settings(root), args.slugs)
    for p in problems:
        print(f"Error: verify: {p.path}: {p.message}", file=sys.stderr)
    if not args.quiet:
        status = "all good" if not problems else f"{len(problems)} problem(s)"
        print(f"Verified {checked} output(s) against build/manifest.json: {status}")
    return EXIT_FAILED if problems else EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace, Path], int]] = {"verify": cmd_verify}


def parser() -> argparse.ArgumentParser:
    from .renderers import GROUPS

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
            "--large-print", action="store_true", help="PDF handouts in large print (18 pt body text)"
        )
        sp.add_argument(
            "--jobs",
            type=int,
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
    from .check_cmd import add_parser, cmd_check

    add_parser(sub)
    COMMANDS["check"] = cmd_check
    from . import clean, scaffold, watch

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
