"""The command line: parse arguments, run a command, print one line per problem, set the exit code.

Each command is one module in this package with ``add_parser(sub)``, which sets ``run`` as the
parser's default; ``run(args, root)`` imports what the command needs (WeasyPrint, python-docx,
textstat, ...) only when it runs, so ``--help`` and a mistyped command answer at once."""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from ..errors import PublishError, format_error
from .console import EXIT_FAILED

# In the order `--help` lists them; "build" adds `all` and one word per format group.
COMMANDS = ("build", "merge", "verify", "approve", "send", "check", "translated", "watch", "new", "clean")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="publish.py",
        description="Publish health articles from source/ as PDF handouts, DOCX, email and plain text.",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__package__}.{name}").add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None, root: Path | None = None) -> int:
    root = root or Path.cwd()
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args, root)
        return code
    except PublishError as exc:
        print(format_error(exc, root), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130


def leave(code: int) -> NoReturn:
    """End this process with ``code``, without the interpreter's teardown walking what it loaded.

    As it stops, Python runs full garbage collections while it tears the modules down, each one
    walking every object still alive: the catalog's records, the checks' pronouncing dictionary,
    the audit's libraries. That took 0.1 to 0.17 s after a one-article build had written its last
    output (see README). Frozen first (``gc.freeze``), those objects are not walked. They are still
    freed as their references go, files are closed and the ``atexit`` functions run (the font
    folders among them: ``formats.pdf.release_fonts``); only a cycle of garbage is left for the
    system to take back with the process's memory. For ``publish.py`` only: a program that calls
    ``main`` and goes on (the tests) keeps its collections."""
    gc.freeze()
    sys.exit(code)
