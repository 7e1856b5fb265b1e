"""WeasyPrint's libraries load by their sonames, without ldconfig subprocesses, and are the same."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import REPO

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
    code = PROBE.format(repo=str(REPO), extra=extra, load=load)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


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
