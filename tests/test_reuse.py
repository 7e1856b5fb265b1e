"""What a worker keeps between handouts (parsed stylesheets, the glyph gate's fonts) is reused,
counted by constructions, and never stands in for an input that changed: the bytes are those of
a fresh process."""

from __future__ import annotations

import io
from typing import Any

import pytest
from conftest import EPOCH, Project

from publishkit.formats import pdf
from publishkit.model.settings import load_settings
from publishkit.pipeline.build import build


def test_the_handout_stylesheet_is_parsed_once_per_text_and_again_when_it_changes(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    for slug in ("calm", "rest", "walk"):
        project.article(slug, f"Rest and drink water ({slug}). Call us if you feel worse.")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    import weasyprint

    parsed: list[str] = []

    class CSS(weasyprint.CSS):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            parsed.append(kwargs["string"])
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "CSS", CSS)
    monkeypatch.setattr(pdf, "_STYLESHEETS", {})

    report = build(load_settings(project.root), ["pdf"], force=True, jobs=1)
    assert [o.status for o in report.outcomes] == ["built"] * 3
    assert len(parsed) == 1  # three handouts, one parse
    assert "--brand: #1F5F7A" in parsed[0] and "@font-face" in parsed[0]
    assert "<style>" not in parsed[0]

    # Another clinic colour is another text: parsed again, and the handout is the one a fresh
    # process makes (nothing of the first stylesheet is left in it).
    project.set_config('color = "#1F5F7A"', 'color = "#7A1F3D"')
    report = build(load_settings(project.root), ["pdf"], ["calm"], force=True, jobs=1)
    assert [o.status for o in report.outcomes] == ["built"]
    assert len(parsed) == 2 and "--brand: #7A1F3D" in parsed[1]
    in_process = project.out("calm", ".pdf").read_bytes()
    assert project.run("pdf", "calm", "--force", env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    assert project.out("calm", ".pdf").read_bytes() == in_process


def test_the_stylesheet_is_taken_out_of_the_page_whole() -> None:
    page = (
        '<html><head><meta charset="utf-8"><style>\np { color: red; }\n</style></head><body>x</body></html>'
    )
    assert pdf.split_style(page) == (
        '<html><head><meta charset="utf-8"></head><body>x</body></html>',
        "\np { color: red; }\n",
    )
    assert pdf.split_style("<p>no style</p>") == ("<p>no style</p>", "")


PUA = "\ue000"  # a private-use character: no font draws it


def test_the_glyph_gate_reads_each_embedded_font_once_and_a_different_one_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import weasyprint

    from publishkit.audit import glyphs, outlines

    read: list[object] = []

    class Glyphs(outlines.FontGlyphs):
        def __init__(self, font: Any) -> None:
            read.append(font)
            super().__init__(font)

    monkeypatch.setattr(outlines, "FontGlyphs", Glyphs)
    monkeypatch.setattr(glyphs, "_FONTS", {})

    def made(html: str) -> bytes:
        data = weasyprint.HTML(string=html).write_pdf()
        assert isinstance(data, bytes)
        return data

    first = made("<p>Call us today.</p>")
    assert glyphs.missing_glyphs(first) == [] and len(read) == 1
    # Another document with the same letters embeds the same subset: not read again.
    assert glyphs.missing_glyphs(made("<p>Call today us.</p>")) == [] and len(read) == 1
    assert glyphs.missing_glyphs(first) == [] and len(read) == 1
    # Other letters make another subset: it is read, and its missing glyph is found.
    assert glyphs.missing_glyphs(made(f"<p>Call {PUA} us, {PUA} today.</p>")) == [PUA]
    assert len(read) == 2


def test_the_glyph_gate_reads_only_the_glyphs_a_pdf_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A subset keeps every glyph id of its font (most of them empty): only the shown ones are read."""
    import pikepdf
    import weasyprint

    from publishkit.audit import glyphs, outlines

    asked: list[object] = []
    for name in ("has_outline", "stored_contours"):
        real = getattr(outlines, name)
        monkeypatch.setattr(outlines, name, lambda *a, real=real: asked.append(a[-1]) or real(*a))
    monkeypatch.setattr(glyphs, "_FONTS", {})
    data = weasyprint.HTML(string="<p>Call us today.</p>").write_pdf()
    assert isinstance(data, bytes)
    assert glyphs.missing_glyphs(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        (font,) = [f for p in pdf.pages for f in p.Resources.Font.values()]
        embedded = font.DescendantFonts[0].FontDescriptor
        stream = embedded.get("/FontFile2") or embedded.get("/FontFile3")
        glyph_count = len(outlines.FontGlyphs(font)._names)
    assert stream is not None and glyph_count > 50  # what a full reading would have drawn
    assert 0 < len(asked) <= len(set("Call us today."))  # one question per character shown
