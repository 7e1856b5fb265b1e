"""How every command speaks: exit codes, one line per problem, the build summary table."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import format_error

if TYPE_CHECKING:
    from ..pipeline.outcome import Outcome, Report

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def human_size(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MB"


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


def summary(report: Report, formats: Sequence[str]) -> None:
    """Article x format table: status and size. Articles with nothing rebuilt fold into one line."""
    from rich.console import Console
    from rich.table import Table

    by_slug: dict[str, dict[str, Outcome]] = {}
    for o in report.outcomes:  # one row per article and variant (clinic, edition)
        by_slug.setdefault(f"{o.slug} ({o.variant})" if o.variant else o.slug, {})[o.format] = o
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
                cells.append(f"{mark} {human_size(cell.size)}")
        table.add_row(slug, *cells)
    # Not a terminal (a log, CI): do not squeeze the table into 80 columns.
    console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    if table.row_count:
        console.print(table)
    if unchanged:
        console.print(f"{unchanged} article(s) up to date in every format.")
