"""templates/fonts/make_subsets.py: the same fonts and texts give the same subset bytes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from conftest import REPO
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import _h_e_a_d


def _script() -> object:
    spec = importlib.util.spec_from_file_location(
        "make_subsets", REPO / "templates" / "fonts" / "make_subsets.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_subset_written_at_another_time_has_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_subsets = _script()
    source = REPO / "templates" / "fonts" / "NotoSansArabic-Regular-subset.ttf"
    arabic = {ord(c) for c in "مرحبا 0123"}
    written = []
    for n, clock in enumerate((3_000_000_000, 3_000_086_400)):  # a day apart, as two runs would be
        monkeypatch.setattr(_h_e_a_d, "timestampNow", lambda clock=clock: clock)
        out = tmp_path / f"run{n}.ttf"
        make_subsets._subset(TTFont(source), arabic, out)  # type: ignore[attr-defined]
        written.append(out.read_bytes())
    assert written[0] == written[1]
    assert TTFont(tmp_path / "run0.ttf")["head"].modified == TTFont(source)["head"].modified
