"""`publish.py approve SLUG --by NAME`, and what `verify` adds for approvals (records, loose files)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import format_error
from .console import EXIT_FAILED, EXIT_OK, print_problems

Command = Callable[[argparse.Namespace, Path], int]


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2026-11-01, got '{value}'") from None


def add_parser(sub: Any) -> None:
    sp = sub.add_parser("approve", help="record a clinician's approval of an article, and build it approved")
    sp.add_argument("slug", metavar="SLUG", help="the article to approve")
    sp.add_argument("--by", required=True, metavar="NAME", help='who approves, e.g. "Dana Whitfield, MD"')
    sp.add_argument("--role", default="", help="their role, e.g. Medical director")
    sp.add_argument("--brand", default="default", metavar="ID", help="the clinic (default: default)")
    sp.add_argument("--date", type=_day, metavar="YYYY-MM-DD", help="the day of approval (default: today)")
    sp.add_argument("--quiet", action="store_true", help="print only problems")
    sp.set_defaults(run=cmd_approve)
    sp = sub.add_parser("diff", help="show what changed since the article's last approval")
    sp.add_argument("slug", metavar="SLUG", help="the article to compare")
    sp.add_argument("--brand", default="default", metavar="ID", help="the clinic (default: default)")
    sp.set_defaults(run=cmd_diff)


def cmd_diff(args: argparse.Namespace, root: Path) -> int:
    from ..model.settings import load_settings
    from ..pipeline.approvaldiff import diff

    r = diff(load_settings(root), args.slug, args.brand)
    print(f"{r.slug}: changes since approval {r.approval[:8]}")
    for c in r.text + r.disclaimers:
        print(f"  {c.where}:")
        if c.deleted:
            print(f"    deleted: {' | '.join(c.deleted)}")
        if c.inserted:
            print(f"    inserted: {' | '.join(c.inserted)}")
    for line in r.presentation:
        print(f"  presentation: {line}")
    if not (r.text or r.disclaimers or r.presentation):
        print("  no change")
    print(f"Report: {r.html_path.relative_to(root)}")
    print(f"Tracked changes: {r.docx_path.relative_to(root)}")
    return EXIT_OK


def cmd_approve(args: argparse.Namespace, root: Path) -> int:
    from ..model.settings import load_settings
    from ..pipeline.approve import approve

    settings = load_settings(root)
    done = approve(settings, args.slug, args.by, args.role, args.brand, args.date)
    print_problems(done.report, root)
    if not done.record:
        print(
            f"Error: approval: {args.slug}: not approved: the build has errors (listed above); "
            "nothing was recorded",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if not args.quiet:
        rec = done.record
        print(
            f"Approved {args.slug} for {rec['brand']} by {rec['approved_by']} on {rec['date']} "
            f"(approval {rec['id'][:8]}, {len(rec['outputs'])} output(s)) in {done.path.relative_to(root)}"
        )
    return EXIT_OK


def with_approvals(verify: Command) -> Command:
    """`verify` also checks every approval record's hash chain; `verify FILE` (an existing file,
    not an article) says whether that file is byte for byte an approved output."""

    def cmd(args: argparse.Namespace, root: Path) -> int:
        from ..model.settings import load_settings

        settings = load_settings(root)
        files = [s for s in args.slugs if (root / s).is_file() and not s.endswith(".md")]
        if files:
            return _loose_files(settings, root, files)
        from ..pipeline.approve import chain_report

        problems = chain_report(settings)
        for p in problems:
            print(format_error(p, root), file=sys.stderr)
        code = verify(args, root)
        return EXIT_FAILED if problems else code

    return cmd


def _loose_files(settings: Any, root: Path, files: list[str]) -> int:
    from ..pipeline.approve import identify

    code = EXIT_OK
    for name in files:
        found = identify(settings, (root / name).read_bytes())
        if not found:
            print(
                f"Error: verify: {name}: not an approved output (no approval lists these bytes)",
                file=sys.stderr,
            )
            code = EXIT_FAILED
            continue
        rpath, record, out = found[-1]
        print(
            f"{name}: approved output {out.get('path')} ({out.get('format')}), approved by "
            f"{record.by} on {record.data.get('date')} (approval {record.short}, "
            f"{rpath.relative_to(root)} record {record.number})"
        )
    return code


__all__ = ["add_parser", "cmd_approve", "with_approvals"]
