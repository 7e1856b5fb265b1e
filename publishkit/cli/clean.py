"""``publish.py clean``: remove what the build made from build/ and say what was kept."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .console import EXIT_OK


def add_parser(sub: Any) -> None:
    sp = sub.add_parser("clean", help="remove what the build made from build/ (keeps anything else)")
    sp.set_defaults(run=run)


def run(args: argparse.Namespace, root: Path) -> int:
    from ..model.settings import load_settings
    from ..pipeline.clean import clean

    settings = load_settings(root)
    if not settings.build_dir.is_dir():
        print(f"Nothing to clean: {settings.build}/ does not exist.")
        return EXIT_OK
    result = clean(settings)

    def show(path: Path) -> str:
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)

    n = len(result.removed)
    print(f"Removed {n} file{'s' if n != 1 else ''} that the build made.")
    for path in result.changed:
        print(
            f"Kept {show(path)}: it was changed after the build wrote it. Delete it yourself if not needed."
        )
    if result.kept:
        k = len(result.kept)
        print(f"Kept {k} file{'s' if k != 1 else ''} that the build did not make:")
        for path in result.kept:
            print(f"  {show(path)}")
    elif not settings.build_dir.exists():
        print(f"{settings.build}/ is gone.")
    return EXIT_OK
