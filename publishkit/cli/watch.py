"""``publish.py watch``: rebuild what changed each time a file in source/ or templates/ is saved."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from types import FrameType
from typing import Any

from ..errors import PublishError, SourceError, format_error
from .console import EXIT_OK

DEBOUNCE_MS = 300  # editors save in several steps; wait at most this long for the last one
# A save is yielded once the folder has been quiet this long. An editor's steps (write, rename)
# come within a few ms; 50 ms quiet cost about 40 ms more per edit than 20 (measured: save to
# yield, median 0.07 s against 0.04 s). A save split wider still rebuilds twice, the last right.
STEP_MS = 20


def add_parser(sub: Any) -> None:
    sp = sub.add_parser(
        "watch",
        help="rebuild what changed whenever a file in source/ or templates/ is saved (Ctrl-C stops)",
    )
    sp.add_argument("--strict", action="store_true", help="treat warnings as errors")
    sp.set_defaults(run=run)


def _rel(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


def rebuild(root: Path, changed: Iterable[str], strict: bool = False, first: bool = False) -> bool:
    """One incremental ``all`` build; print one line about it and its problems. True when it passed."""
    from ..model.settings import load_settings
    from ..pipeline.build import build
    from ..pipeline.sources import articles_reached
    from ..pipeline.warm import watch_order

    changed = sorted(changed)
    what = ", ".join(changed) or "start"
    started = time.monotonic()
    try:
        settings = load_settings(root)
        # An edit to articles rebuilds those alone (the gallery and the manifest still list all).
        slugs = articles_reached(settings, changed) or ()
        report = build(settings, watch_order(), slugs, jobs=1, strict=strict, checks=True)
    except PublishError as exc:  # the registry or the settings: nothing was built
        print(f"{time.strftime('%H:%M:%S')} {what}: not built", flush=True)
        print(format_error(exc, root), file=sys.stderr, flush=True)
        return False
    except Exception:  # a bug: show it, keep watching
        traceback.print_exc()
        return False
    counts = {s: sum(1 for o in report.outcomes if o.status == s) for s in ("built", "unchanged", "failed")}
    seconds = time.monotonic() - started
    print(
        f"{time.strftime('%H:%M:%S')} {what}: {counts['built']} built, {counts['unchanged']} up to date, "
        f"{counts['failed']} failed ({seconds:.1f} s)",
        flush=True,
    )
    # Warnings of articles that did not change were printed before; errors are printed every time.
    touched = {o.slug for o in report.outcomes if o.status != "unchanged"}
    for w in report.warnings:
        if first or Path(w.path or "").stem in touched:
            print(format_error(w, root, "Warning"), file=sys.stderr, flush=True)
    lines: list[str] = []
    for problem in [*report.errors, *(o.error for o in report.outcomes if o.error is not None)]:
        line = format_error(problem, root)
        if line not in lines:
            lines.append(line)
            print(line, file=sys.stderr, flush=True)
    return bool(report.ok)


def _snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    """Every file under ``folders`` with its mtime and size."""
    out = {}
    for folder in folders:
        for path in folder.rglob("*"):
            with contextlib.suppress(OSError):
                st = path.stat()
                out[str(path)] = (st.st_mtime_ns, st.st_size)
    return out


def _warm(root: Path) -> None:
    """Load WeasyPrint, the fonts, the templates and the checks now, not at the first edit."""
    from ..model.settings import load_settings
    from ..pipeline.warm import settle, warm_up

    with contextlib.suppress(PublishError):  # the next rebuild says what is wrong
        warm_up(load_settings(root))
    settle()


def run(args: argparse.Namespace, root: Path) -> int:
    from watchfiles import Change, watch

    from ..model.settings import load_settings
    from ..pipeline.warm import unsettle

    settings = load_settings(root)
    folders = [settings.source_dir, settings.templates_dir]
    for folder in folders:
        if not folder.is_dir():
            raise SourceError("the folder to watch does not exist", path=folder)
    stop = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()  # finish the build under way (its files are written atomically), then stop
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C interrupts at once

    for sig in previous:
        signal.signal(sig, on_signal)
    try:
        print(
            f"Watching {', '.join(_rel(str(f), root) + '/' for f in folders)} for changes. "
            f"Open {_rel(str(settings.build_dir / 'index.html'), root)} in a browser: it reloads itself. "
            "Ctrl-C stops.",
            flush=True,
        )
        seen = _snapshot(folders)
        rebuild(root, [], args.strict, first=True)
        _warm(root)
        # watchfiles sees only what is saved once it watches: a save during the first build or
        # the warm-up (seconds on a busy machine) would wait for the next one.
        if (now := _snapshot(folders)) != seen:
            rebuild(root, {_rel(p, root) for p in now.keys() | seen.keys() if now.get(p) != seen.get(p)})
        for changes in watch(
            *folders,
            debounce=DEBOUNCE_MS,
            step=STEP_MS,
            stop_event=stop,
            raise_interrupt=False,
            rust_timeout=500,
        ):
            if stop.is_set():
                break
            # An editor's temporary file (written, renamed, gone) is not worth naming.
            names = {_rel(p, root) for _c, p in changes if Path(p).exists() or _c == Change.deleted}
            gone = {_rel(p, root) for c, p in changes if c == Change.added and not Path(p).exists()}
            rebuild(root, (names - gone) or {"source/"}, args.strict)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        unsettle()
    print("Stopped watching.", flush=True)
    return EXIT_OK
