"""The glyph gate: a PDF drawing a character without a glyph is refused, naming the font package."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from conftest import EPOCH, Project

from publishkit.audit.glyphs import font_package, glyph_message, missing_glyphs

PUA = "\ue000"  # a private-use character: no font anyone ships draws it


def _only_shipped_fonts(tmp_path: Path) -> dict[str, str]:
    """An environment where fontconfig knows no system font: only templates/fonts/ can draw."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return {"SOURCE_DATE_EPOCH": EPOCH, "FONTCONFIG_FILE": str(conf)}


def test_characters_no_shipped_font_covers_are_refused_naming_the_package(
    project: Project, tmp_path: Path
) -> None:
    project.article("glyphs", f"Say สวัสดี and 龘 and {PUA} to us.\n")
    result = project.run("pdf", env=_only_shipped_fonts(tmp_path))
    assert result.returncode == 1
    assert (
        "Error: audit: glyphs.pdf: no font in the handout has a glyph for "
        "'龘' U+9F98: install the Debian package fonts-noto-cjk; "
        "'ส' U+0E2A, 'ว' U+0E27, 'ั' U+0E31, 'ด' U+0E14, 'ี' U+0E35: install the Debian package fonts-noto-core; "
        f"'{PUA}' U+E000: no Noto font in Debian's fonts-noto-core or fonts-noto-cjk has them; add a font that "
        "does to templates/fonts/ and templates/handout.css (they would print as empty boxes)"
    ) in result.stderr
    assert not project.out("glyphs", ".pdf").exists()


def test_a_character_no_font_at_all_covers_is_refused_with_system_fonts_too(project: Project) -> None:
    project.article("pua", f"A private sign {PUA} here.\n")
    result = project.run("pdf", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 1
    assert (
        f"Error: audit: pua.pdf: no font in the handout has a glyph for '{PUA}' U+E000: no Noto"
        in result.stderr
    )


def test_the_text_layer_is_not_trusted_a_missing_glyph_keeps_its_text() -> None:
    """WeasyPrint's text layer names the character even where the page shows an empty box."""
    import pypdfium2 as pdfium
    import weasyprint

    data = weasyprint.HTML(string=f"<p>ok {PUA} ok</p>").write_pdf()
    assert isinstance(data, bytes)
    pdf = pdfium.PdfDocument(data)
    try:
        assert PUA in pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert missing_glyphs(data) == [PUA]


def test_text_drawn_inside_a_group_is_gated_too() -> None:
    """Translucent text is drawn from a Form XObject (``Do``): the gate reads what it shows too,
    with only the text operators parsed into Python."""
    import pikepdf
    import weasyprint

    data = weasyprint.HTML(string=f'<p>ok</p><p style="opacity: 0.5">in a group {PUA} here</p>').write_pdf()
    assert isinstance(data, bytes)
    with pikepdf.open(BytesIO(data)) as pdf:
        page = pdf.pages[0]
        shown = [str(i.operator) for i in pikepdf.parse_content_stream(page.obj)]
        assert "Do" in shown and "/XObject" in page.Resources  # the PUA is inside the group
    assert missing_glyphs(data) == [PUA]


@pytest.mark.parametrize(
    ("char", "package"),
    [("中", "fonts-noto-cjk"), ("한", "fonts-noto-cjk"), ("ア", "fonts-noto-cjk"), ("ب", "fonts-noto-core"),
     ("न", "fonts-noto-core"), ("ሀ", "fonts-noto-core"), ("a", "fonts-noto-core"), (PUA, "")],
)  # fmt: skip
def test_the_package_named_is_the_one_whose_fonts_cover_the_character(char: str, package: str) -> None:
    assert font_package(char) == package


def test_a_long_list_is_cut_short() -> None:
    message = glyph_message([chr(0xE000 + i) for i in range(12)])
    assert message.count("U+E0") == 10 and "'\ue009' U+E009 and 2 more: no Noto font" in message
