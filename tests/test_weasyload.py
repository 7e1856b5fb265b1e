"""WeasyPrint's libraries load by their sonames, without ldconfig subprocesses, and are the same."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import REPO, probe

# Runs in a fresh interpreter (WeasyPrint loads its libraries once per process). Counts the
# subprocesses and find_library calls of the import, and lists the shared libraries it mapped.
PROBE = """
import ctypes.util, json, subprocess, sys
sys.path.insert(0, {repo!r})
calls = []
popen = subprocess.Popen.__init__
def spy(self, *a, **k):
    calls.append("popen")
    return popen(self, *a, **k)
subprocess.Popen.__init__ = spy
find = ctypes.util.find_library
def spy_find(name):
    calls.append("find_library")
    return find(name)
ctypes.util.find_library = spy_find
from publishkit.kit import weasyload
weasyload.REQUIRED_SONAMES += tuple({extra!r})
{load}
from weasyprint.text import ffi
libs = sorted({{line.split()[-1] for line in open("/proc/self/maps")
                if any(n in line for n in ("pango", "harfbuzz", "gobject", "fontconfig", "glib"))}})
print(json.dumps({{"calls": calls, "libs": libs, "subset": ffi.harfbuzz_subset is not None,
                   "patched_back": ctypes.util.find_library is spy_find}}))
"""


def _probe(load: str, extra: tuple[str, ...] = ()) -> dict[str, object]:
    return probe(PROBE.format(repo=str(REPO), extra=extra, load=load))


def test_weasyprint_loads_without_subprocesses_and_with_the_same_libraries() -> None:
    fast = _probe("weasyload.load_weasyprint()")
    ordinary = _probe("import weasyprint")
    assert fast["calls"] == []
    assert "popen" in ordinary["calls"]  # what this saves: ldconfig runs
    assert fast["libs"] == ordinary["libs"] and fast["libs"]
    assert fast["subset"] == ordinary["subset"]
    assert fast["patched_back"] is True


def test_a_soname_that_does_not_load_means_the_ordinary_search() -> None:
    result = _probe("weasyload.load_weasyprint()", extra=("libnot-a-library-here.so.7",))
    assert "find_library" in result["calls"]
    assert result["libs"] == _probe("import weasyprint")["libs"]


# Lays out a page in three scripts (a font each, each subset to the glyphs it shows) with the
# handout's own stylesheet, fonts and call, in a fresh interpreter; reports the PDF's hash and
# which sized array types cffi parsed (one parse each).
LAY_OUT = """
import hashlib, json, pathlib, re, sys
sys.path.insert(0, {repo!r})
{load}
from weasyprint.text.ffi import ffi
from publishkit.formats import pdf
templates = pathlib.Path({templates!r})
css = (templates / "handout.css").read_text(encoding="utf-8")
page = ('<html lang="en"><head><meta charset="utf-8"><style>' + css + '</style></head><body>'
        '<p>Rest, drink water and call us if you feel worse.</p>'
        '<p lang="ar" dir="rtl">استرح واشرب الماء واتصل بنا إذا شعرت بسوء.</p>'
        '<p lang="zh-Hant">請休息、多喝水，如果感覺更糟請致電我們。</p></body></html>')
data = pdf.write_handout(page, templates, pdf.make_fetcher((templates,), 10.0),
                         pdf_variant=pdf.PDF_VARIANT, pdf_identifier=b"0" * 32)
sized = sorted(key for key in ffi._parsed_types
               if isinstance(key, str) and re.fullmatch(r"hb_codepoint_t\\[\\d+\\]", key))
print(json.dumps({{"pdf": hashlib.sha256(data).hexdigest(), "sized": sized}}))
"""


def _lay_out(load: str) -> dict[str, object]:
    return probe(LAY_OUT.format(repo=str(REPO), templates=str(REPO / "templates"), load=load))


def test_sized_arrays_are_parsed_once_for_every_length_and_the_pdf_is_the_same() -> None:
    opened = _lay_out("from publishkit.kit import weasyload; weasyload.load_weasyprint()")
    ordinary = _lay_out("import weasyprint")  # imported first: load_weasyprint then changes nothing
    assert len(ordinary["sized"]) >= 3  # what this saves: a C parse per font's glyph count
    assert opened["sized"] == []
    assert opened["pdf"] == ordinary["pdf"]


# After the import, fontTools' subsetter and instancer are not loaded; at their first use they are
# the real ones: the subsetter (as without libharfbuzz-subset) makes the PDF an ordinary import
# makes, and WeasyPrint's instancer function calls the real module's with its arguments.
LATER = """
import hashlib, json, pathlib, sys
sys.path.insert(0, {repo!r})
{load}
names = ("fontTools.subset", "fontTools.varLib", "fontTools.varLib.instancer")
loaded = [m for m in names if m in sys.modules]
import weasyprint.pdf.fonts as fonts
from publishkit.formats import pdf
fonts.harfbuzz_subset = None  # each font subset by fontTools
templates = pathlib.Path({templates!r})
css = (templates / "handout.css").read_text(encoding="utf-8")
page = ('<html lang="en"><head><style>' + css + '</style></head><body><p>Rest and drink water.</p>'
        '<p lang="ar" dir="rtl">استرح واشرب الماء.</p><p lang="zh-Hant">請休息。</p></body></html>')
data = pdf.write_handout(page, templates, pdf.make_fetcher((templates,), 10.0),
                         pdf_variant=pdf.PDF_VARIANT, pdf_identifier=b"0" * 32)
import fontTools.subset, fontTools.varLib.instancer as instancer
itself = fonts.instantiateVariableFont is instancer.instantiateVariableFont
calls = []
instancer.instantiateVariableFont = lambda *a, **k: calls.append([list(a), k]) or "instanced"
made = None if itself else fonts.instantiateVariableFont("font", {{"wght": 700}}, static=True)
print(json.dumps({{"loaded": loaded, "pdf": hashlib.sha256(data).hexdigest(), "itself": itself,
                   "made": made, "calls": calls, "real": [type(sys.modules[m]).__name__ for m in names]}}))
"""


def test_fonttools_subsetter_and_instancer_load_at_their_first_use_and_work_as_before() -> None:
    def run(load: str) -> dict[str, Any]:
        return probe(LATER.format(repo=str(REPO), templates=str(REPO / "templates"), load=load))

    later = run("from publishkit.kit import weasyload; weasyload.load_weasyprint()")
    ordinary = run("import weasyprint")
    assert later["loaded"] == []  # what this saves: about 80 ms of the import
    assert ordinary["loaded"] == ["fontTools.subset", "fontTools.varLib", "fontTools.varLib.instancer"]
    assert later["pdf"] == ordinary["pdf"]  # subset by fontTools through the stand-in
    assert ordinary["itself"] is True and later["itself"] is False
    # WeasyPrint's instantiateVariableFont: the real module's, called with the same arguments
    assert later["made"] == "instanced"
    assert later["calls"] == [[["font", {"wght": 700}], {"static": True}]]
    assert later["real"] == ["module"] * 3  # no stand-in left behind


def test_only_arrays_given_as_many_values_as_their_length_are_made_open() -> None:
    import cffi

    from publishkit.kit import weasyload

    ffi = cffi.FFI()  # its own, as WeasyPrint's: the test changes nothing else in this process
    ffi.cdef("typedef uint32_t hb_codepoint_t;")
    weasyload.open_sized_arrays(ffi)
    full = ffi.new("hb_codepoint_t[3]", [7, 2, 9])
    assert ffi.typeof(full) is ffi.typeof("hb_codepoint_t[]")
    assert list(full) == [7, 2, 9] and ffi.sizeof(full) == 3 * ffi.sizeof("hb_codepoint_t")
    assert "hb_codepoint_t[3]" not in ffi._parsed_types
    short = ffi.new("hb_codepoint_t[4]", [1])  # zero-filled to its length, as cffi does
    assert ffi.typeof(short) is ffi.typeof("hb_codepoint_t[4]") and list(short) == [1, 0, 0, 0]
    text = ffi.new("char[4]", b"abc")  # bytes: a char[] would be one longer (its NUL)
    assert ffi.typeof(text) is ffi.typeof("char[4]") and ffi.string(text) == b"abc"
    wrapped = ffi.new
    weasyload.open_sized_arrays(ffi)  # once only: not wrapped twice
    assert ffi.new is wrapped


def _parsed_by_pycparser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The C source each cffi parse gives pycparser, from now on."""
    import cffi.cparser

    sources: list[str] = []
    real = cffi.cparser._get_parser

    class Spy:
        def __init__(self, parser: Any) -> None:
            self.parser = parser

        def parse(self, text: str, *args: Any, **kwargs: Any) -> Any:
            sources.append(text)
            return self.parser.parse(text, *args, **kwargs)

    monkeypatch.setattr(cffi.cparser, "_get_parser", lambda: Spy(real()))
    return sources


def test_a_type_is_parsed_with_only_the_typedefs_it_names_and_is_the_same_type(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cffi

    from publishkit.kit import weasyload

    declarations = (
        "typedef uint32_t hb_codepoint_t; typedef unsigned char FcChar8;"
        " typedef struct { int x, y, width, height; } PangoRectangle; typedef struct _Map Map;"
        + "".join(f" typedef int unused_{i};" for i in range(40))
    )
    plain, quick = cffi.FFI(), cffi.FFI()  # their own, as WeasyPrint's: nothing else changes
    plain.cdef(declarations)
    quick.cdef(declarations)
    weasyload.quick_type_parses(quick)
    weasyload.quick_type_parses(quick)  # once only: not wrapped twice
    types = [
        "PangoRectangle *",
        "FcChar8 **",
        "hb_codepoint_t[]",
        "char[4]",
        "unsigned int *",
        "Map *",
        "int(*)(PangoRectangle *, hb_codepoint_t)",
    ]
    sources = _parsed_by_pycparser(monkeypatch)
    expected = [plain.typeof(t) for t in types]
    assert len(sources) == len(types) and all("unused_" in s for s in sources)
    sources.clear()
    got = [quick.typeof(t) for t in types]
    assert len(sources) == len(types) and not any("unused_" in s for s in sources)
    assert [(t.cname, t.kind) for t in got] == [(t.cname, t.kind) for t in expected]
    assert quick.sizeof("PangoRectangle") == plain.sizeof("PangoRectangle") == 16
    # The same cffi type as cffi's own parse of it in the same FFI.
    del quick._parser._parse
    for name, made in zip(types, got, strict=True):
        del quick._parsed_types[name]
        assert quick.typeof(name) is made
    # A mistake is worded as cffi words it; declarations added later are known.
    weasyload.quick_type_parses(quick)
    errors = []
    for ffi in (quick, plain):
        with pytest.raises(cffi.CDefError) as caught:
            ffi.typeof("PangoRectangle *(")
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and errors[0].startswith("cannot parse")
    quick.cdef("typedef struct { char a[3]; } Later;")
    assert quick.typeof("Later *").item.cname == "Later" and quick.sizeof("Later") == 3


# The types WeasyPrint parses in a process's first handout, parsed quickly after load_weasyprint,
# then again by cffi's own parse in the same process: the same cffi type objects.
SAME_TYPES = """
import json, sys
sys.path.insert(0, {repo!r})
from publishkit.kit import weasyload
weasyload.load_weasyprint()
from weasyprint.text.ffi import ffi
names = ["PangoFcFontMap *", "FcChar8 **", "char[]", "PangoRectangle *", "PangoLogAttr[]",
         "unsigned int *", "hb_tag_t[100]", "char[4]", "hb_codepoint_t[]", "PangoGlyphString *"]
quick = getattr(ffi._parser._parse, "quick", False)
made = [ffi.typeof(n) for n in names]
del ffi._parser._parse
same = []
for name, t in zip(names, made):
    del ffi._parsed_types[name]
    same.append(ffi.typeof(name) is t)
print(json.dumps({{"quick": quick, "same": same}}))
"""


def test_weasyprints_types_are_the_same_cffi_types() -> None:
    result = probe(SAME_TYPES.format(repo=str(REPO)))
    assert result["quick"] is True
    assert result["same"] == [True] * 10
