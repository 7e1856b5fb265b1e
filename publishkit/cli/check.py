"""``publish.py check``: run the content checks, print a table and one line per problem, write check.json."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks.base import ERROR, INFO, WARNING, Finding
from ..errors import PublishError, format_error
from .console import EXIT_FAILED, EXIT_OK

if TYPE_CHECKING:
    from ..checks.runner import ArticleCheck
    from ..model.article import Article

PREFIX = {ERROR: "Error", WARNING: "Warning", INFO: "Note"}


def add_parser(sub: Any) -> None:
    sp = sub.add_parser(
        "check",
        help="check reading level, review dates, risky claims and structure (writes build/check.json)",
    )
    sp.add_argument("slugs", nargs="*", metavar="SLUG", help="articles to check (default: all)")
    sp.add_argument("--strict", action="store_true", help="fail on warnings too (exit 1)")
    sp.add_argument("--quiet", action="store_true", help="print only problems")
    sp.add_argument("--force", action="store_true", help="check again even what is unchanged")
    sp.set_defaults(run=run)


def _select(settings: Any, slugs: list[str]) -> list[Path]:
    from ..pipeline.sources import select

    return select(settings, slugs)


def run(args: argparse.Namespace, root: Path) -> int:
    from ..checks.runner import run_checks, save_report
    from ..kit.fsutil import build_lock
    from ..model.settings import build_time, load_settings
    from ..pipeline.remember import SourceCache

    settings = load_settings(root)
    today = build_time().date()
    articles: list[Article] = []
    unreadable: dict[str, PublishError] = {}
    chosen = _select(settings, args.slugs)
    with build_lock(settings.build_dir):
        sources = SourceCache(settings)  # an unchanged file is not read: its check is cached too
        for path in chosen:
            try:
                articles.append(sources.load(path))
            except PublishError as exc:
                unreadable[path.stem] = exc
        results = run_checks(settings, articles, today, strict=args.strict, force=args.force)
        extra = {
            slug: {
                "path": _rel(exc.path, root),
                "errors": 1,
                "warnings": 0,
                "notes": 0,
                "unreadable": str(exc),
            }
            for slug, exc in unreadable.items()
        }
        existing = chosen if not args.slugs else _select(settings, [])  # source/ listed once if it will do
        save_report(settings, results, today, {p.stem for p in existing}, extra)
        sources.save({p.stem for p in existing})
    for problem in unreadable.values():
        print(format_error(problem, root), file=sys.stderr)
    for result in results.values():
        for finding in result.findings:
            print(format_error(result.as_error(finding), root, PREFIX[finding.level]), file=sys.stderr)
    if not args.quiet:
        _table(results, unreadable)
    errors = len(unreadable) + sum(r.count(ERROR) for r in results.values())
    warnings = sum(r.count(WARNING) for r in results.values())
    return EXIT_FAILED if errors or (args.strict and warnings) else EXIT_OK


def _rel(path: str | None, root: Path) -> str:
    try:
        return str(Path(path or "").resolve().relative_to(root.resolve()))
    except ValueError:
        return path or ""


def _grade_cell(r: ArticleCheck) -> str:
    ease = r.readability.get("ease")
    if ease is not None:  # Spanish: Szigriszt-Pazos on the INFLESZ scale, higher is easier
        if r.target_ease is not None and ease < r.target_ease:
            return f"[yellow]INFLESZ {ease:.1f} < {r.target_ease:g}[/yellow]"
        return f"INFLESZ {ease:.1f}" + (f" ≥ {r.target_ease:g}" if r.target_ease is not None else "")
    grade = r.readability.get("grade")
    if grade is None:
        return "–"
    if r.target is not None and grade > r.target:
        return f"[yellow]{grade:.1f} > {r.target:g}[/yellow]"
    return f"{grade:.1f}" + (f" ≤ {r.target:g}" if r.target is not None else "")


def _review_cell(r: ArticleCheck) -> str:
    text = r.review.describe()
    colour = {"overdue": "red", "future": "red", "due-soon": "yellow"}.get(r.review.state)
    return f"[{colour}]{text}[/{colour}]" if colour else text


def _problems_cell(findings: list[Finding]) -> str:
    parts = []
    for level, word, colour in ((ERROR, "error", "red"), (WARNING, "warning", "yellow"), (INFO, "note", "")):
        n = sum(1 for f in findings if f.level == level)
        if n:
            label = f"{n} {word}{'s' if n > 1 else ''}"
            parts.append(f"[{colour}]{label}[/{colour}]" if colour else label)
    return ", ".join(parts) or "[green]ok[/green]"


def _table(results: dict[str, ArticleCheck], unreadable: dict[str, PublishError]) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Content checks", box=box.SIMPLE_HEAD, pad_edge=False)
    for name, justify in (
        ("article", "left"),
        ("grade", "right"),
        ("SMOG", "right"),
        ("words", "right"),
        ("min", "right"),
        ("review", "left"),
        ("problems", "left"),
    ):
        table.add_column(name, justify=justify, no_wrap=name != "article", overflow="fold")  # type: ignore[arg-type]
    for slug, r in results.items():
        smog = r.readability.get("smog")
        table.add_row(
            slug,
            _grade_cell(r),
            f"{smog:.1f}" if smog is not None else "–",
            str(r.readability.get("words", "–")),
            str(r.readability.get("minutes", "–")),
            _review_cell(r),
            _problems_cell(r.findings),
        )
    for slug in unreadable:
        table.add_row(slug, "–", "–", "–", "–", "–", "[red]could not be read[/red]")
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    console.print(table)
    for slug, r in results.items():
        sections = r.readability.get("sections") or []
        if r.target is not None and (r.readability.get("grade") or 0) > r.target and sections:
            worst = "; ".join(f"{s['title']} (grade {s['grade']:g}, line {s['line']})" for s in sections)
            console.print(f"{slug}: hardest sections: {worst}")
