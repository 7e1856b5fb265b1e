"""A head start on the renderers' fixed costs: WeasyPrint's import and fonts, python-docx, the
hyphenation patterns and the audit's readers, loaded before the first output needs them.

A worker process loads them while the main process checks (``prefetch`` from
``chunk.warm_worker``). A build without workers starts them in a thread (``start``): the main
thread spends much of a small build waiting on pandoc, and a thread importing meanwhile gets the
interpreter for that time. The main thread waits for the thread before it renders anything
(``wait``), so WeasyPrint is never used from two threads at once.

A worker process warms up ``settled``: what it inherited and what its warm-up loads is kept out
of its later garbage collections (see README, "Garbage collection in the workers").
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence

from ..formats import REGISTRY
from ..model.settings import Settings

# What the read-back audit of a PDF imports at its first (about 70 ms together, measured
# with -X importtime; fontTools' CFF reader, for the Chinese, Japanese and Korean subsets, brings
# the table code WeasyPrint's import no longer does: kit/weasyload.py): only imported here, each
# reader still imports what it uses.
AUDIT_MODULES = ("pypdfium2", "pikepdf", "fontTools.ttLib", "fontTools.cffLib")

_STARTED: dict[str, threading.Thread] = {}


def prefetch(
    settings: Settings,
    formats: Iterable[str],
    languages: Iterable[str] = (),
    rehearse: bool = True,
    audit: bool | None = None,
) -> None:
    """Warm ``formats``' renderers, then what their first output would load. Only a head start:
    a failure is left for the render to report. ``rehearse``: see ``Format.warm_up``. ``audit``:
    whether to import what a PDF's audit reads it with; by default where pages are laid out
    (a helper process only lays out: the process that sent it the handout audits it, and
    imports these while the helper lays out: render.render_all)."""
    for fmt in formats:
        with contextlib.suppress(Exception):
            REGISTRY[fmt].warm_up(settings, rehearse)
    if "weasyprint" in sys.modules:
        with contextlib.suppress(Exception):
            # WeasyPrint's hyphenation: pyphen keeps each language's patterns once loaded (~70 ms).
            import pyphen  # type: ignore[import-untyped]

            for lang in dict.fromkeys(languages):
                if lang and pyphen.language_fallback(lang):
                    pyphen.Pyphen(lang=lang)
    if audit is None:
        audit = "weasyprint" in sys.modules
    if audit:
        audit_readers()


def audit_readers() -> None:
    """Import what the PDF audit reads a handout with (a head start only)."""
    for name in AUDIT_MODULES:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


def prefetch_settled(
    settings: Settings,
    formats: Iterable[str],
    languages: Iterable[str] = (),
    rehearse: bool = True,
    audit: bool | None = None,
) -> None:
    """``prefetch`` as a helper process's first work (its initializer), ``settled``."""
    with settled():
        prefetch(settings, formats, languages, rehearse, audit)


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """A worker process's warm-up, with what stays loaded kept out of every later collection.

    A worker keeps until it stops what it inherited from this process (the fork) and what its
    warm-up loads: WeasyPrint's import alone leaves about 50,000 objects. Each full collection
    walked them all, about 35 ms in the helper and 75 ms in a catalog's workers, which
    made 8 each. Frozen (``gc.freeze``) before and after the warm-up, with no collection during
    it (it makes no garbage worth one), they are not walked again; a handout's own objects are
    collected as before. Only in a worker process: a worker forked by ``multiprocessing`` ends
    with ``os._exit``; should it end by ``sys.exit`` instead (another start method),
    ``atexit`` unfreezes first, as the watcher does (frozen objects would be finalized after
    the modules are torn down)."""
    gc.freeze()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
        atexit.register(gc.unfreeze)


def start(settings: Settings, formats: Sequence[str], languages: Iterable[str] = ()) -> None:
    """``prefetch`` in a thread of this process (once per format)."""
    todo = [f for f in dict.fromkeys(formats) if f not in _STARTED]
    if not todo:
        return
    langs = list(languages)
    thread = threading.Thread(
        # No rehearsal: the first render waits for this thread (the README measures both).
        target=prefetch,
        args=(settings, todo, langs, False),
        name="publishkit-headstart",
        daemon=True,
    )
    _STARTED.update(dict.fromkeys(todo, thread))
    thread.start()


def wait() -> None:
    """Return once every head start of this process is over (before the first render)."""
    for thread in set(_STARTED.values()):
        thread.join()
