"""A head start on the renderers' fixed costs: WeasyPrint's import and fonts, python-docx, the
hyphenation patterns and the audit's readers, loaded before the first output needs them.

A worker process loads them while the main process checks (``prefetch`` from
``chunk.warm_worker``). A build without workers starts them in a thread (``start``): the main
thread spends much of a small build waiting on pandoc, and a thread importing meanwhile gets the
interpreter for that time. The main thread waits for the thread before it renders anything
(``wait``), so WeasyPrint is never used from two threads at once.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import threading
from collections.abc import Iterable, Sequence

from ..formats import REGISTRY
from ..model.settings import Settings

# What the read-back audit of a PDF imports at its first (about 70 ms together, measured
# with -X importtime): only imported here, each reader still imports what it uses.
AUDIT_MODULES = ("pypdfium2", "pikepdf", "fontTools.agl", "fontTools.ttLib")

_STARTED: dict[str, threading.Thread] = {}


def prefetch(
    settings: Settings, formats: Iterable[str], languages: Iterable[str] = (), rehearse: bool = True
) -> None:
    """Warm ``formats``' renderers, then what their first output would load. Only a head start:
    a failure is left for the render to report. ``rehearse``: see ``Format.warm_up``."""
    for fmt in formats:
        with contextlib.suppress(Exception):
            REGISTRY[fmt].warm_up(settings, rehearse)
    if "weasyprint" not in sys.modules:  # no format lays out pages: nothing below is needed
        return
    with contextlib.suppress(Exception):
        # WeasyPrint's hyphenation: pyphen keeps each language's patterns once loaded (~70 ms).
        import pyphen  # type: ignore[import-untyped]

        for lang in dict.fromkeys(languages):
            if lang and pyphen.language_fallback(lang):
                pyphen.Pyphen(lang=lang)
    for name in AUDIT_MODULES:
        with contextlib.suppress(Exception):
            importlib.import_module(name)


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
