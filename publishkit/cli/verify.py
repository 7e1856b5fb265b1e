"""``publish.py verify``: re-check build/ against the manifest and the approved disclaimers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .console import EXIT_FAILED, EXIT_OK


def add_parser(sub: Any) -> None:
    sp = sub.add_parser("verify", help="re-check build/ against the manifest and the approved disclaimers")
    sp.add_argument("slugs", nargs="*", metavar="SLUG", help="articles to verify (default: all)")
    sp.add_argument("--quiet", action="store_true", help="print only problems")
    from .approve import with_approvals  # approval records and loose files, then the outputs

    sp.set_defaults(run=with_approvals(run))


def run(args: argparse.Namespace, root: Path) -> int:
    from ..model.settings import load_settings
    from ..pipeline.verify import verify

    checked, problems = verify(load_settings(root), args.slugs)
    for p in problems:
        print(f"Error: verify: {p.path}: {p.message}", file=sys.stderr)
    if not args.quiet:
        status = "all good" if not problems else f"{len(problems)} problem(s)"
        print(f"Verified {checked} output(s) against build/manifest.json: {status}")
    return EXIT_FAILED if problems else EXIT_OK
