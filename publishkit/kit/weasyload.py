"""Import WeasyPrint without the ~20 `ldconfig` runs its library loading costs on Linux.

WeasyPrint opens Pango, GLib, HarfBuzz and fontconfig through cffi, trying several names per
library (``libgobject-2.0-0``, ``gobject-2.0``, ..., ``libgobject-2.0.so.0``). For each name without
a directory cffi first calls ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p`` (and,
when that finds nothing, ``gcc`` and ``ld``) in a subprocess: about 22 subprocesses, 0.27 s on a
quiet machine, before the soname in the list loads directly. When every required soname loads,
the search is skipped for the length of the import (the list ends in those sonames, so WeasyPrint
gets the same libraries); otherwise the import is the ordinary one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading
from types import ModuleType

# The sonames WeasyPrint's own list of names ends with on Linux (weasyprint/text/ffi.py).
REQUIRED_SONAMES = (
    "libgobject-2.0.so.0",
    "libpango-1.0.so.0",
    "libharfbuzz.so.0",
    "libfontconfig.so.1",
    "libpangoft2-1.0.so.0",
)
_LOCK = threading.Lock()


def sonames_load() -> bool:
    """Whether every library loads by its soname here (the ordinary search is then not needed)."""
    try:
        for name in REQUIRED_SONAMES:
            ctypes.CDLL(name)
    except OSError:
        return False
    return True


def _no_search(name: str) -> str | None:
    """Stands in for find_library during the import: cffi moves on to WeasyPrint's next name."""
    return None


def load_weasyprint() -> ModuleType:
    """``import weasyprint``, skipping the library search where the sonames load directly."""
    loaded = sys.modules.get("weasyprint")
    if loaded is not None:
        return loaded
    with _LOCK:  # the warm-up thread and a render may both ask; find_library is patched once
        if "weasyprint" not in sys.modules and sys.platform.startswith("linux") and sonames_load():
            original = ctypes.util.find_library
            ctypes.util.find_library = _no_search
            try:
                import weasyprint.text.ffi  # the libraries load here
            finally:
                ctypes.util.find_library = original
        import weasyprint  # noqa: F401  (as usual, where the sonames did not load)
    return sys.modules["weasyprint"]
