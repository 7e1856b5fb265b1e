"""Language-access taglines: checked at load, printed in every format in their own language and
script, proved by the audit; a clinic without taglines prints none."""

from __future__ import annotations

import email
import io
import re
import subprocess
from email import policy
from pathlib import Path

import pytest
from conftest import EPOCH, REPO, Project, make_project
from test_plain_layout import eml_text_part
from test_settings import add_eastside, config_lines

from publishkit.audit.core import normalize, tagline_readings
from publishkit.audit.glyphs import missing_glyphs
from publishkit.audit.readers import extract_pdf
from publishkit.formats._plain import columns
from publishkit.model.taglines import Tagline, load_taglines

PHONE = "(503) 555-0142"
PHONE_DOCX = PHONE.replace(" ", "\u00a0").replace("-", "\u2011")  # kept on one line in Word
TAGLINES = load_taglines(REPO / "source" / "taglines.yaml", 1_000_000).entries
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EASTSIDE = """
[tool.publish.brands.eastside]
name = "Eastside Family Health"
address = "88 Division Street, Portland, OR 97202"
phone = "(503) 555-0199"

[tool.publish.brands.eastside.email]
from = "Eastside Family Health <news@eastside.example>"
unsubscribe_url = "https://eastside.example/unsubscribe"
"""
ALL = "es, zh-Hant, vi, ko, tl, ru, ar, ht, fr, pt, pl, ja, it, de, fa"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The default clinic (the 15 shipped taglines) and one without taglines, every format."""
    proj = make_project(tmp_path_factory.mktemp("taglines") / "proj")
    proj.article("note", "Drink water and rest.\n\nCall us if it gets worse.\n")
    add_eastside(proj, EASTSIDE)
    result = proj.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr + result.stdout
    return proj


def _flat(text: str) -> str:
    return re.sub(r"[\s\u200b-\u200f]+", "", normalize(text))


def _found(text: str, tagline: Tagline, phone: str = PHONE) -> bool:
    return any(all(_flat(x) in _flat(text) for x in r) for r in tagline_readings(tagline, phone))


# --- settings and the file -------------------------------------------------------------------


def test_a_tag_not_in_the_file_is_a_config_error_listing_the_available_ones(project: Project) -> None:
    project.set_config('taglines = ["es",', 'taglines = ["es", "xx", "nl",')
    assert config_lines(project, "text") == [
        f"Error: config: pyproject.toml: tool.publish.brand.taglines: 'xx', 'nl' not in "
        f"source/taglines.yaml. Available: {ALL}"
    ]


def test_a_clinic_with_taglines_needs_a_phone(project: Project) -> None:
    add_eastside(project, EASTSIDE.replace('phone = "(503) 555-0199"', 'taglines = ["es"]'))
    assert config_lines(project, "text") == [
        "Error: config: pyproject.toml: tool.publish.brands.eastside.phone: required with taglines: "
        "they tell the reader which number to call for free language help"
    ]


def test_taglines_must_be_a_list_of_language_tags(project: Project) -> None:
    project.set_config('taglines = ["es",', 'taglines = ["es", "Spanish!",')
    assert config_lines(project, "text") == [
        "Error: config: pyproject.toml: tool.publish.brand.taglines: expected language tags (BCP 47) "
        "such as es or zh-Hant but received: 'Spanish!'"
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            '- lang: es\n  name: Español\n  text: "Llame al {telefono}."\n',
            "source/taglines.yaml:3: es: unknown placeholder '{telefono}' in 'text'; the only one is {phone}",
        ),
        (
            '- lang: spanish\n  name: Español\n  text: "Llame al {phone}."\n',
            "source/taglines.yaml:1: 'spanish' is not a language tag (BCP 47) such as es, zh-Hant or pt-BR",
        ),
        ("- lang: es\n  name: Español\n", "source/taglines.yaml:1: entry 1: 'text' must be non-empty text"),
        (
            '- lang: es\n  name: Español\n  text: "Llame al {phone}."\n  note: x\n',
            "source/taglines.yaml:4: unknown key 'note'. Valid keys: lang, name, text",
        ),
        (
            '- lang: es\n  name: Español\n  text: "{phone}"\n- lang: es\n  name: E\n  text: "{phone}"\n',
            "source/taglines.yaml:4: 'es' is given twice; keep one",
        ),
    ],
)
def test_a_bad_entry_names_the_file_line_and_what_is_valid(
    project: Project, entry: str, message: str
) -> None:
    project.write("source/taglines.yaml", entry)
    project.article("note")
    result = project.run("text", "--jobs", "1")
    assert result.returncode == 1
    assert result.stderr.strip() == f"Error: source: {message}"


def test_the_file_is_part_of_the_cache_key(project: Project) -> None:
    project.article("note")
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert project.run("text", "--jobs", "1", env=env).returncode == 0
    path = project.source / "taglines.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Llame al", "Llámenos al"), encoding="utf-8")
    assert project.run("text", "--jobs", "1", env=env).returncode == 0
    assert "Llámenos al (503)" in project.out("note", ".txt").read_text(encoding="utf-8").replace(
        "\u200e", ""
    )


# --- every format carries every tagline, in its language ---------------------------------------


def test_the_text_ends_with_one_paragraph_per_language_within_72_columns(built: Project) -> None:
    text = built.out("note", ".txt").read_text(encoding="utf-8")
    tail = text.split("reviewed 2026-11-01\n", 1)[1]
    paragraphs = [p for p in tail.split("\n\n") if p.strip()]
    assert len(paragraphs) == len(TAGLINES)
    for paragraph, tagline in zip(paragraphs, TAGLINES, strict=True):
        assert paragraph.startswith(f"\n{tagline.name} — ") or paragraph.startswith(f"{tagline.name} — ")
        assert _found(paragraph, tagline)
        if tagline.dir == "rtl":  # kept whole, and left to right inside the right-to-left line
            assert f"\u200e{PHONE}\u200e" in paragraph.replace("\n", " ")
        else:  # an LRM in a left-to-right line is an invisible character a reader would copy
            assert PHONE in paragraph.replace("\n", " ") and "\u200e" not in paragraph
    assert {t.dir for t in TAGLINES} == {"ltr", "rtl"}
    for part in (text, eml_text_part(built.out("note", ".eml"))):
        assert [line for line in part.splitlines() if columns(line) > 72] == []
        assert all(_found(part, t) for t in TAGLINES)


def _html_taglines(html: str) -> list[tuple[str, str, str]]:
    block = html.split('<div class="pk-taglines"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<p lang="([^"]+)" dir="([^"]+)"[^>]*>(.*?)</p>', block, re.S)


def test_the_email_footer_has_each_line_with_its_lang_and_dir(built: Project) -> None:
    msg = email.message_from_bytes(built.out("note", ".eml").read_bytes(), policy=policy.default)
    part = msg.get_body(("html",))
    assert part is not None
    for html in (part.get_content(), built.out("note", ".email.html").read_text(encoding="utf-8")):
        footer = html.split('class="pk-footer"', 1)[1]
        found = _html_taglines(footer)
        assert [(lang, d) for lang, d, _ in found] == [(t.lang, t.dir) for t in TAGLINES]
        for (_lang, _dir, inner), tagline in zip(found, TAGLINES, strict=True):
            assert _found(re.sub(r"<[^>]+>", "", inner), tagline)
            assert re.search(rf'<span dir="ltr"[^>]*>{re.escape(PHONE)}</span>', inner)


def _tagline_paragraphs(path: Path) -> list[object]:
    import docx

    body = docx.Document(io.BytesIO(path.read_bytes())).element.body
    return [
        p
        for p in body.iter(f"{W}p")
        if (s := p.find(f"{W}pPr/{W}pStyle")) is not None and s.get(f"{W}val") == "Tagline"
    ]


def test_the_docx_ends_with_each_line_marked_with_its_language_and_script(built: Project) -> None:
    paragraphs = _tagline_paragraphs(built.out("note", ".docx"))
    assert len(paragraphs) == len(TAGLINES)
    for p, t in zip(paragraphs, TAGLINES, strict=True):
        runs = list(p.iter(f"{W}r"))  # type: ignore[attr-defined]
        assert _found("".join(p.itertext()), t)  # type: ignore[attr-defined]
        rtl = t.lang in ("ar", "fa")
        east = t.lang in ("zh-Hant", "ja", "ko")
        assert (p.find(f"{W}pPr/{W}bidi") is not None) == rtl  # type: ignore[attr-defined]
        texts = ["".join(x.text or "" for x in r.iter(f"{W}t")).strip("\u200e") for r in runs]
        for r, text in zip(runs, texts, strict=True):
            lang = r.find(f"{W}rPr/{W}lang")
            if text == PHONE_DOCX:
                # Set as Latin text with no-break space and hyphen in an East Asian line.
                assert lang.get(f"{W}val") == ("en-US" if east else t.lang)
                assert lang.get(f"{W}eastAsia") is None and r.find(f"{W}rPr/{W}rtl") is None
                continue
            assert lang.get(f"{W}val") == t.lang
            assert (r.find(f"{W}rPr/{W}rtl") is not None) == (rtl and text != "."), text
            assert lang.get(f"{W}bidi") == (t.lang if rtl else None)
            assert lang.get(f"{W}eastAsia") == (t.lang if east else None)
            fonts = r.find(f"{W}rPr/{W}rFonts")
            if east:
                assert fonts.get(f"{W}eastAsia", "").startswith("Noto Sans CJK")
            if rtl:
                assert fonts.get(f"{W}cs") == "Noto Sans Arabic"
        assert PHONE_DOCX in texts  # the phone in a run of its own


def test_the_handout_prints_every_tagline_with_real_glyphs_on_its_last_page(built: Project) -> None:
    import pikepdf

    from publishkit.audit.readers import extract_pdf

    data = built.out("note", ".pdf").read_bytes()
    assert missing_glyphs(data) == []
    pages = extract_pdf(data).pages
    assert all(_found(pages[-1], t) for t in TAGLINES)
    assert not any(_found(page, t) for page in pages[:-1] for t in TAGLINES)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = {str(f.BaseFont) for f in pdf.pages[-1].Resources.Font.values()}
    for family in (
        "PK-Noto-Sans-Arabic",
        "PK-Noto-Sans-CJK-TC",
        "PK-Noto-Sans-CJK-JP",
        "PK-Noto-Sans-CJK-KR",
    ):
        assert any(family in f for f in fonts), (family, fonts)
    html = built.out("note", ".email.html").read_text(encoding="utf-8")  # the same markup as the handout
    assert len(_html_taglines(html)) == len(TAGLINES)


def test_the_handout_sets_the_taglines_two_to_a_row_in_the_files_order(built: Project) -> None:
    """Two columns, read across: the first two side by side, their tops level, then the next two
    lower down (a float beside a block in each row: handout.css)."""
    import pypdfium2

    names = {t.lang: t.name for t in TAGLINES if t.dir == "ltr"}  # a right-to-left line ends at the edge
    pdf = pypdfium2.PdfDocument(built.out("note", ".pdf").read_bytes())
    page = pdf[len(pdf) - 1]
    text, middle = page.get_textpage(), page.get_width() / 2
    boxes: list[tuple[float, float] | None] = []
    for lang in ALL.split(", "):
        found = text.search(names[lang]).get_next() if lang in names else None
        left, _bottom, _right, top = text.get_charbox(found[0]) if found else (0, 0, 0, 0)
        boxes.append((left, top) if found else None)
    rows = [boxes[i : i + 2] for i in range(0, len(boxes), 2)]
    tops = []
    for row in rows:
        placed = [box for box in row if box is not None]
        if not placed:  # the last row: Persian alone
            continue
        if len(placed) == 2:
            (left_a, top_a), (left_b, top_b) = placed
            assert left_a < middle < left_b and abs(top_a - top_b) < 1.0, row
        tops.append(min(top for _left, top in placed))
    assert tops == sorted(tops, reverse=True) and len(set(tops)) == len(tops)  # down the page
    for column in (boxes[0::2], boxes[1::2]):  # each column's left-to-right lines start at one edge
        lefts = [box[0] for box in column if box is not None]
        assert max(lefts) - min(lefts) < 2.0, column  # (a glyph's box starts where its ink does)
    assert sum(box is not None for box in boxes) == len(names) == len(boxes) - 2  # not ar, fa
    # No line drawn over another: a row starts below the taller of the two before it.
    chars = [
        text.get_charbox(i) for i in range(text.count_chars()) if not text.get_text_range(i, 1).isspace()
    ]
    chars.sort(key=lambda box: box[1])
    for i, (left, bottom, right, top) in enumerate(chars):
        for other in chars[i + 1 :]:
            if other[1] >= top:
                break
            if other == chars[i]:
                continue  # two letters of one ligature (lam-alef): one glyph, one box
            width = min(right, other[2]) - max(left, other[0])
            height = min(top, other[3]) - max(bottom, other[1])
            assert width < 1.5 or height < 1.5, (left, bottom)  # kerned neighbours touch, no more


def test_libreoffice_draws_every_tagline_of_the_docx(built: Project, tmp_path: Path) -> None:
    command = ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless"]
    command += ["--convert-to", "pdf", "--outdir", str(tmp_path), str(built.out("note", ".docx"))]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    data = (tmp_path / "note.pdf").read_bytes()
    assert missing_glyphs(data) == []
    # The phone stays on one line in every tagline, East Asian ones included (LibreOffice breaks
    # a number anywhere in a Korean or Japanese line unless it is set as Latin text).
    lines = [line for page in extract_pdf(data).pages for line in page.splitlines() if "0142" in line]
    assert len(lines) >= len(TAGLINES)
    # (PDFium reads a number in a right-to-left line in its own order: "555-0142 (503)".)
    whole = ("(503) 555-0142", "555-0142 (503)")
    broken = [line for line in lines if not any(w in normalize(line, fold=False) for w in whole)]
    assert broken == []


def test_a_clinic_without_taglines_prints_none(built: Project) -> None:
    folder = built.build / "note" / "eastside"
    text = (folder / "note.txt").read_text(encoding="utf-8")
    assert not any(_found(text, t, "(503) 555-0199") for t in TAGLINES)
    assert "pk-taglines" not in (folder / "note.email.html").read_text(encoding="utf-8")
    assert _tagline_paragraphs(folder / "note.docx") == []


def test_a_template_that_drops_the_block_fails_the_build(project: Project) -> None:
    project.article("note")
    template = project.root / "templates" / "text.txt.j2"
    template.write_text(template.read_text(encoding="utf-8").split("{% for paragraph")[0], encoding="utf-8")
    result = project.run("text", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 1
    assert (
        "Error: audit: note.txt: language-access tagline 'es' missing (its text with the clinic's phone "
        "was not found; every output of a clinic with taglines must print them)"
    ) in result.stderr
    assert not project.out("note", ".txt").exists()
