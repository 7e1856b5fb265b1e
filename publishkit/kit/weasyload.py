"""Import WeasyPrint without the ~20 `ldconfig` runs its library loading costs on Linux, and
without a C parse for every length of array it makes.

WeasyPrint opens Pango, GLib, HarfBuzz and fontconfig through cffi, trying several names per
library (``libgobject-2.0-0``, ``gobject-2.0``, ..., ``libgobject-2.0.so.0``). For each name without
a directory cffi first calls ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p`` (and,
when that finds nothing, ``gcc`` and ``ld``) in a subprocess: about 22 subprocesses, 0.27 s on a
quiet machine, before the soname in the list loads directly. When every required soname loads,
the search is skipped for the length of the import (the list ends in those sonames, so WeasyPrint
gets the same libraries); otherwise the import is the ordinary one.

WeasyPrint makes arrays with ``ffi.new(f"hb_codepoint_t[{n}]", values)``: to subset each font of a
handout, for example, with n the number of glyphs it shows. cffi caches the types it has parsed
by their text, so every new n is one more C parse (pycparser, with every typedef of WeasyPrint's
declarations parsed again): 23 of the 32 parses of the first handout, about 45 ms of its layout
(measured in the helper). ``open_sized_arrays`` makes such an array as ``hb_codepoint_t[]`` from
the same n values, one parse for all lengths: an array of the same items, length and bytes
(``T[]`` from a list of n items is n items long, as ``T[n]`` is). Anything else goes to cffi as
it was written.

The other types a handout needs are parsed once each (``PangoRectangle *``, ``char[]``...: 9 in
a process's first handout). cffi parses a type as C source that first declares every typedef of
the library's declarations as ``int``, 66 of WeasyPrint's, so that pycparser knows which names
are types: 3 to 6 ms a type, about 30 ms of the first layout. Only the typedef names the type
itself mentions change how pycparser reads it (cffi's comment: "what they are typedef'ed to plays
no role"), so ``quick_type_parses`` declares only those; the parsed type is then resolved against
every declaration, as before, and is the same cffi type.

WeasyPrint imports fontTools' subsetter and its variable-font instancer for what it does only
when HarfBuzz cannot subset (``libharfbuzz-subset`` missing or older than 4.1) or a font is
variable: with them come most of fontTools' table code, about 80 ms of the import. During the
import they are stand-ins (``imported_later``) whose attributes are the real modules', imported at
their first use; after it, importing them gives the real modules, as before.

Once imported, pyphen's dictionaries are read lazily (``kit/hyphenation.py``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib
import re
import sys
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

# The sonames WeasyPrint's own list of names ends with on Linux (weasyprint/text/ffi.py).
REQUIRED_SONAMES = (
    "libgobject-2.0.so.0",
    "libpango-1.0.so.0",
    "libharfbuzz.so.0",
    "libfontconfig.so.1",
    "libpangoft2-1.0.so.0",
)
_LOCK = threading.Lock()
# ``T[n]``: a C type and a literal length (``char[4]``, ``hb_codepoint_t[233]``).
_SIZED_ARRAY = re.compile(r"([A-Za-z_][A-Za-z0-9_ ]*?)\s*\[(\d+)\]")
# How cffi's Parser.parse_type_and_quals wraps a type to parse it (cffi/cparser.py).
TYPE_SOURCE = "void __dummy(\n"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# What WeasyPrint's import need not load (see above): module, and the names it imports from it.
LATER = {"fontTools.subset": (), "fontTools.varLib.instancer": ("instantiateVariableFont",)}


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


class _Later(ModuleType):
    """A module's stand-in during WeasyPrint's import: its attributes are the real module's."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # what the import system asks of a module: not this one's
            raise AttributeError(name)
        return getattr(real_module(self.__name__), name)


def real_module(name: str) -> ModuleType:
    """The module ``name`` itself, imported now if only its stand-in was."""
    if isinstance(sys.modules.get(name), _Later):
        del sys.modules[name]
    return importlib.import_module(name)


def _later_function(module: str, name: str) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(real_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


@contextlib.contextmanager
def imported_later() -> Iterator[None]:
    """The modules of LATER that are not loaded yet as stand-ins in ``sys.modules`` while inside
    (``from M import f`` gets a function that calls the real ``M.f``), and not after."""
    placed = [name for name in LATER if name not in sys.modules]
    for module in placed:
        stand_in = _Later(module)
        for name in LATER[module]:
            setattr(stand_in, name, _later_function(module, name))
        sys.modules[module] = stand_in
    try:
        yield
    finally:
        for module in placed:
            if isinstance(sys.modules.get(module), _Later):
                del sys.modules[module]


def load_weasyprint() -> ModuleType:
    """``import weasyprint``, skipping the library search where the sonames load directly."""
    loaded = sys.modules.get("weasyprint")
    if loaded is not None:
        return loaded
    with _LOCK, imported_later():  # the warm-up thread and a render may both ask
        if "weasyprint" not in sys.modules and sys.platform.startswith("linux") and sonames_load():
            original = ctypes.util.find_library
            ctypes.util.find_library = _no_search  # patched once
            try:
                import weasyprint.text.ffi  # the libraries load here
            finally:
                ctypes.util.find_library = original
        import weasyprint  # noqa: F401  (as usual, where the sonames did not load)
        from weasyprint.text import ffi

        from . import hyphenation

        open_sized_arrays(ffi.ffi)
        quick_type_parses(ffi.ffi)
        hyphenation.install()
    return sys.modules["weasyprint"]


def open_sized_arrays(ffi: Any) -> None:
    """``ffi.new("T[n]", values)`` with n values made as ``ffi.new("T[]", values)`` (see above)."""
    if getattr(ffi.new, "opens_sized_arrays", False):
        return
    new = ffi.new

    def new_array(cdecl: Any, init: Any = None) -> Any:
        if isinstance(cdecl, str) and isinstance(init, (list, tuple)):
            sized = _SIZED_ARRAY.fullmatch(cdecl.strip())
            if sized and int(sized[2]) == len(init):
                return new(f"{sized[1]}[]", init)
        return new(cdecl, init)

    new_array.opens_sized_arrays = True  # type: ignore[attr-defined]
    ffi.new = new_array


class _Typedefs:
    """What cffi's ``Parser._parse`` reads of its parser: the declarations' names (only the
    typedefs one type mentions), and how to word a parse error."""

    def __init__(self, parser: Any, names: dict[str, None]) -> None:
        self._parser = parser
        self._declarations = names

    def convert_pycparser_error(self, error: Any, csource: str) -> Any:
        return self._parser.convert_pycparser_error(error, csource)


def quick_type_parses(ffi: Any) -> None:
    """``ffi``'s types parsed with only the typedefs they mention declared (see above). Its own
    parser only; declarations (``cdef``) are parsed as cffi parses them."""
    parser: Any = getattr(ffi, "_parser", None)
    parse = getattr(type(parser), "_parse", None)
    declarations = getattr(parser, "_declarations", None)
    if parse is None or not isinstance(declarations, dict) or getattr(parser._parse, "quick", False):
        return  # another cffi than the one this was written for: its own parse, unchanged

    def quick(csource: str) -> Any:
        if not csource.startswith(TYPE_SOURCE):
            return parse(parser, csource)
        named = set(_NAME.findall(csource))
        names = dict.fromkeys(k for k in parser._declarations if k.startswith("typedef ") and k[8:] in named)
        return parse(_Typedefs(parser, names), csource)

    quick.quick = True  # type: ignore[attr-defined]
    parser._parse = quick
