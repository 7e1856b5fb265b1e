"""The clinic DOCX: structure, headers, footers, properties, LibreOffice, safety, bytes."""

from __future__ import annotations

import io
import itertools
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest
from conftest import EPOCH, REPO, Project, make_project
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from publishkit.audit.bands import Running
from publishkit.audit.core import audit, contains, normalize
from publishkit.audit.readers import extract_docx
from publishkit.errors import AuditError
from publishkit.formats.context import reference_line, review_line
from publishkit.kit.docxkit import read_custom_properties
from publishkit.model.article import load_article
from publishkit.model.registry import load_registry
from publishkit.model.settings import Limits

SLUGS = ("ketamine-neurobiology", "managing-medications", "sleep-basics")


def _docx(proj: Project, slug: str) -> bytes:
    return proj.out(slug, ".docx").read_bytes()


def _zip_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def _applying(proj: Project, slug: str) -> list:  # type: ignore[type-arg]
    registry = load_registry(proj.source / "disclaimers.yaml")
    return list(registry.resolve(load_article(proj.source / f"{slug}.md", Limits())))


@pytest.fixture(scope="session")
def lo_pdfs(seed_build: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every DOCX of the seed build rendered once by LibreOffice, a real Word-format reader."""
    out = tmp_path_factory.mktemp("lo")
    profile = tmp_path_factory.mktemp("lo-profile")
    files = [str(seed_build.out(s, ".docx")) for s in SLUGS]
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless"]
    command += ["--convert-to", "pdf", "--outdir", str(out), *files]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    return {s: out / f"{s}.pdf" for s in SLUGS}


@pytest.mark.parametrize("slug", SLUGS)
def test_properties_and_provenance(seed_build: Project, slug: str) -> None:
    article = load_article(seed_build.source / f"{slug}.md", Limits())
    data = _docx(seed_build, slug)
    document = docx.Document(io.BytesIO(data))
    cp = document.core_properties
    meta = article.meta
    assert cp.title == meta.title
    assert cp.subject == meta.summary
    assert cp.language == meta.language
    assert cp.keywords == ", ".join(meta.tags)
    assert cp.category == meta.audience
    assert cp.author == (meta.author or "Riverside Mind & Body Clinic")
    built = datetime.fromtimestamp(int(EPOCH), tz=UTC)
    assert cp.created == built and cp.modified == built
    assert cp.revision == 1
    ref = reference_line(article)
    assert read_custom_properties(data)["Reference"] == ref
    assert read_custom_properties(data)["Source sha256"] == article.sha256
    # The reference line is also visible, as the last paragraph of the body.
    closing = [p for p in document.paragraphs if p.style.name != "Tagline"][-1]  # the taglines follow it
    assert closing.text == ref
    assert closing.style.name == "Reference Line"
    # Document language for spell check and screen readers: the default run language.
    styles = document.styles.element
    lang = styles.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:val")) == meta.language


def test_long_front_matter_values_fit_word_properties(project: Project) -> None:
    """Word holds 255 characters per document property; longer values are cut there, not refused
    (a title over 255 characters is refused at the source: see test_source_errors)."""
    title, summary, author = "T" * 255, "S" * 400 + "y", "A" * 256
    tags = ", ".join(f"tag{i}" for i in range(60))
    project.article("long", "Body text.\n", title=title, summary=summary, author=author, tags=f"[{tags}]")
    result = project.run("docx", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    document = docx.Document(io.BytesIO(_docx(project, "long")))
    cp = document.core_properties
    assert cp.title == title
    assert cp.subject == summary[:254] + "\u2026"
    assert cp.author == author[:254] + "\u2026"
    assert len(cp.keywords) == 255 and cp.keywords.startswith("tag0, tag1, ")
    # The document itself carries the whole title and summary.
    body = "\n".join(p.text for p in document.paragraphs)
    assert title in body and summary in body


@pytest.mark.parametrize("slug", SLUGS)
def test_headers_and_footers(seed_build: Project, slug: str) -> None:
    document = docx.Document(io.BytesIO(_docx(seed_build, slug)))
    applying = _applying(seed_build, slug)
    assert document.sections
    title = load_article(seed_build.source / f"{slug}.md", Limits()).meta.title
    for section in document.sections:
        footer = section.footer
        assert not footer.is_linked_to_previous
        text = "\n".join(p.text for p in footer.paragraphs)
        for d in applying:
            assert d.short in text
        xml = footer._element.xml
        instr = " ".join(re.findall(r"<w:instrText[^>]*>([^<]*)<", xml))
        assert re.search(r"\bPAGE\b", instr) and re.search(r"\bNUMPAGES\b", instr)
        assert xml.count('w:fldCharType="begin"') == 2 and xml.count('w:fldCharType="end"') == 2
        assert "Page" in text and " of " in text
        header = "\n".join(p.text for p in section.header.paragraphs)
        assert "Riverside Mind & Body Clinic" in header and title in header


@pytest.mark.parametrize("slug", SLUGS)
def test_body_ends_with_disclaimers_and_review_line(seed_build: Project, slug: str) -> None:
    document = docx.Document(io.BytesIO(_docx(seed_build, slug)))
    paragraphs = document.paragraphs
    names = [p.text for p in paragraphs]
    start = names.index("Important information")
    assert paragraphs[start].style.name == "Heading 2"
    tail = normalize("\n".join(names[start:]))
    for d in _applying(seed_build, slug):
        assert contains(tail, d.text), d.id
    article = load_article(seed_build.source / f"{slug}.md", Limits())
    review = [p for p in paragraphs[start:] if p.text == review_line(article)]
    assert review and review[0].style.name == "Review Line"
    end = len(paragraphs) - sum(p.style.name == "Tagline" for p in paragraphs)  # the taglines close it
    assert {p.style.name for p in paragraphs[start + 1 : end - 2]} == {"Disclaimer"}


def test_seed_headings_in_order(seed_build: Project) -> None:
    document = docx.Document(io.BytesIO(_docx(seed_build, "ketamine-neurobiology")))
    levels = [
        int(p.style.name.split()[-1]) for p in document.paragraphs if p.style.name.startswith("Heading ")
    ]
    assert levels[0] == 1 and levels.count(1) == 1  # the title
    assert len(levels) == 8  # title, six sections, "Important information"
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))
    # The clinic's letterhead comes first, as on the handout's first page.
    assert [p.style.name for p in document.paragraphs[:2]] == ["Clinic Contact", "Clinic Contact"]
    assert document.paragraphs[0].text == "Riverside Mind & Body Clinic"
    assert document.paragraphs[1].text == (
        "1200 Harbor Street, Suite 4, Portland, OR 97201 · (503) 555-0142 · www.riversidemindbody.example"
    )
    assert document.paragraphs[2].text == "Unveiling the Mysterious Neurobiology of Ketamine"
    assert document.paragraphs[3].style.name == "Summary"


def test_tables_lists_footnotes_and_non_ascii(seed_build: Project) -> None:
    data = _docx(seed_build, "managing-medications")
    document = docx.Document(io.BytesIO(data))
    assert len(document.tables) == 1
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Medicine", "Dose", "When to take"]
    assert table.rows[3].cells[1].text == "≥ 1 mg"
    assert table.style.name == "Table"
    # The header row repeats on every page and is announced as a header by screen readers.
    assert table.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    # Lists are Word numbering, nested three levels deep.
    levels = []
    for p in document.paragraphs:
        num = p._p.find(qn("w:pPr")).find(qn("w:numPr")) if p._p.find(qn("w:pPr")) is not None else None
        if num is not None:
            levels.append(int(num.find(qn("w:ilvl")).get(qn("w:val"))))
    assert levels == [0, 1, 1, 2, 0, 0]
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "Grapefruit juice is the best-known example." in z.read("word/footnotes.xml").decode()
    body = "\n".join(p.text for p in document.paragraphs)
    for word in ("500 µg", "25 °C", "Café au lait", "piña colada"):
        assert word in body


def test_image_alt_text(project: Project) -> None:
    assets = project.source / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    png = _tiny_png()
    (assets / "bed.png").write_bytes(png)
    project.article("with-image", "Intro.\n\n![A bedroom with the lights off](assets/bed.png)\n")
    result = project.run("docx", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    data = project.out("with-image", ".docx").read_bytes()
    document = docx.Document(io.BytesIO(data))
    doc_pr = document.element.body.findall(".//" + qn("wp:docPr"))
    assert [d.get("descr") for d in doc_pr] == ["A bedroom with the lights off"]
    assert png in [z for z in _zip_parts(data).values()]


def _zip_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return (
            struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
        )

    raw = b"".join(b"\x00" + b"\x20\x40\x60" * 8 for _ in range(4))
    ihdr = struct.pack(">IIBBBBB", 8, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    )


def test_content_visible_only_in_docx(seed_build: Project) -> None:
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(_docx(seed_build, "sleep-basics"))).paragraphs)
    for marker in ("DOCXONLY", "PAPERONLY", "NOTINPDF"):
        assert marker in body
    for marker in ("PRINTONLY", "EMAILONLY", "TEXTONLY"):
        assert marker not in body
    for suffix in (".txt", ".email.html"):
        assert "DOCXONLY" not in seed_build.out("sleep-basics", suffix).read_text(encoding="utf-8")


@pytest.mark.parametrize("slug", SLUGS)
def test_libreoffice_renders_footer_on_every_page(
    seed_build: Project, lo_pdfs: dict[str, Path], slug: str
) -> None:
    pdf = pdfium.PdfDocument(str(lo_pdfs[slug]))
    try:
        pages = []
        for page in pdf:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    total = len(pages)
    assert total >= (3 if slug == "ketamine-neurobiology" else 1)
    applying = _applying(seed_build, slug)
    for number, text in enumerate(pages, 1):
        flat = normalize(text)
        for d in applying:
            assert contains(flat, d.short), (slug, number, d.id)
        assert f"page {number} of {total}" in flat, (slug, number)
        assert "riverside mind & body clinic" in flat


def test_two_builds_give_identical_bytes(seed_build: Project, tmp_path: Path) -> None:
    other = make_project(tmp_path / "elsewhere" / "again", "basic", seed=True)
    result = other.run("docx", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    for slug in SLUGS:
        assert _docx(other, slug) == _docx(seed_build, slug), slug
    with zipfile.ZipFile(io.BytesIO(_docx(other, SLUGS[0]))) as z:
        infos = z.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2026, 11, 15, 0, 0, 0)}


@pytest.mark.parametrize(
    "target", ["/etc/hostname", "../pyproject.toml", "../secret.png", "assets/../../secret.png"]
)
def test_image_outside_assets_fails_and_leaks_nothing(project: Project, target: str) -> None:
    # pandoc lua's docx writer is not sandboxed: it would embed any readable file named as an image.
    secret = b"\x89PNG\r\n\x1a\nTOP-SECRET-7f3a9c-NOT-FOR-PATIENTS"
    (project.root / "secret.png").write_bytes(secret)
    project.article("leaky", f"Text.\n\n![x]({target})\n")
    project.article("fine", "Nothing special here.\n")
    result = project.run("docx", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 1
    expected = f"Error: source: source/leaky.md:9: image '{target}' is outside source/assets/"
    assert expected in result.stderr
    assert not project.out("leaky", ".docx").exists()
    assert project.out("fine", ".docx").exists()
    pyproject = (project.root / "pyproject.toml").read_bytes()
    for path in project.build.rglob("*.docx"):
        parts = _zip_parts(path.read_bytes())
        assert not any(n.startswith("word/media/") for n in parts)
        for blob in parts.values():
            assert b"TOP-SECRET-7f3a9c" not in blob and pyproject not in blob


def test_raw_openxml_and_second_yaml_block_inject_nothing(project: Project) -> None:
    body = """
    Intro paragraph.

    ```{=openxml}
    <w:p><w:r><w:t>INJECTED-XML</w:t></w:r></w:p>
    ```

    ---
    title: HACKED TITLE
    lang: fr-FR
    ---

    After.
    """
    project.article("inject", body, language="en")
    result = project.run("docx", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    data = project.out("inject", ".docx").read_bytes()
    # The raw block is read as ordinary code (raw_attribute is off): its XML never becomes markup.
    assert "<w:t>INJECTED-XML</w:t>" not in _zip_text(data)
    document = docx.Document(io.BytesIO(data))
    assert "INJECTED-XML" not in [p.text for p in document.paragraphs]
    assert document.core_properties.title == "Test article inject"
    assert document.core_properties.language == "en"
    styles = _zip_parts(data)["word/styles.xml"].decode()
    assert "fr-FR" not in styles and 'w:val="en"' in styles
    assert set(read_custom_properties(data)) == {
        "Reference",
        "Source sha256",
        "Reviewed",
        "Disclaimers",
    }


def test_long_summary_tags_and_author_are_cut_only_in_the_properties(project: Project) -> None:
    """Word's properties hold 255 characters: python-docx raised ValueError (a traceback) instead."""
    summary = "A summary that goes on for a long time. " * 10
    tags = [f"keyword-{i}" for i in range(40)]
    project.article(
        "long-meta", "A body.", summary=f'"{summary.strip()}"', author=f'"{"Clinic " * 40}"', tags=str(tags)
    )
    result = project.run("docx", "--quiet", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    document = docx.Document(project.out("long-meta", ".docx"))
    cp = document.core_properties
    for value, full in ((cp.subject, summary), (cp.keywords, ", ".join(tags)), (cp.author, "Clinic " * 40)):
        assert len(value) <= 255 and value.endswith("…")
        assert full.startswith(value[:-1])
    assert summary.strip() in [p.text for p in document.paragraphs]  # the document itself: in full


def _break(data: bytes, fn) -> bytes:  # type: ignore[no-untyped-def]
    document = docx.Document(io.BytesIO(data))
    fn(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _audit(seed_build: Project, data: bytes) -> None:
    from publishkit.audit.core import Requirement

    slug = "ketamine-neurobiology"
    article = load_article(seed_build.source / f"{slug}.md", Limits())
    reqs = [Requirement(d.id, d.text.replace("**", ""), d.short) for d in _applying(seed_build, slug)]
    running = Running("Riverside Mind & Body Clinic", article.meta.title)
    audit(f"{slug}.docx", extract_docx(data), reqs, review_line(article), running=running)


def test_audit_passes_the_real_output(seed_build: Project) -> None:
    _audit(seed_build, _docx(seed_build, "ketamine-neurobiology"))


def test_audit_catches_missing_page_fields(seed_build: Project) -> None:
    def drop_fields(document) -> None:  # type: ignore[no-untyped-def]
        footer = document.sections[0].footer._element
        for el in footer.findall(".//" + qn("w:instrText")):
            if "NUMPAGES" in (el.text or ""):
                el.getparent().remove(el)

    broken = _break(_docx(seed_build, "ketamine-neurobiology"), drop_fields)
    with pytest.raises(AuditError, match="the footer on section 1 has no NUMPAGES field"):
        _audit(seed_build, broken)


def test_audit_reads_the_first_page_footer(seed_build: Project) -> None:
    def empty_first_page(document) -> None:  # type: ignore[no-untyped-def]
        document.sections[0].different_first_page_header_footer = True
        document.sections[0].first_page_footer.paragraphs[0].text = "Page 1"

    broken = _break(_docx(seed_build, "ketamine-neurobiology"), empty_first_page)
    with pytest.raises(AuditError, match="missing in the footer on section 1, first page"):
        _audit(seed_build, broken)


def test_audit_catches_a_dropped_short_disclaimer(seed_build: Project) -> None:
    def drop_short(document) -> None:  # type: ignore[no-untyped-def]
        for p in document.sections[0].footer.paragraphs:
            if p.text.startswith("In crisis?"):
                p._p.getparent().remove(p._p)

    broken = _break(_docx(seed_build, "ketamine-neurobiology"), drop_short)
    with pytest.raises(AuditError, match="disclaimer 'crisis-line' missing in the footer on section 1"):
        _audit(seed_build, broken)


def test_audit_refuses_extra_text_in_a_footer(seed_build: Project) -> None:
    def add_line(document) -> None:  # type: ignore[no-untyped-def]
        document.sections[0].footer.add_paragraph("call 555-0199 for a free miracle cure")

    broken = _break(_docx(seed_build, "ketamine-neurobiology"), add_line)
    with pytest.raises(AuditError) as info:
        _audit(seed_build, broken)
    assert info.value.message == (
        "unexpected text in the footer on section 1: 'call 555-0199 for a free miracle cure'"
    )


def test_audit_refuses_extra_text_in_a_header(seed_build: Project) -> None:
    def add_words(document) -> None:  # type: ignore[no-untyped-def]
        document.sections[0].header.paragraphs[0].add_run(" - free miracle cure")

    broken = _break(_docx(seed_build, "ketamine-neurobiology"), add_words)
    with pytest.raises(AuditError) as info:
        _audit(seed_build, broken)
    assert info.value.message == "unexpected text in the header on section 1: '- free miracle cure'"


def test_reference_document_follows_the_brand(tmp_path: Path) -> None:
    reference = REPO / "templates" / "reference.docx"
    # The committed file is exactly what the committed script makes (no hand edits, no drift).
    script = REPO / "templates" / "make_reference_docx.py"
    made = tmp_path / "ref.docx"
    subprocess.run([sys.executable, str(script), str(made)], check=True, capture_output=True)
    assert made.read_bytes() == reference.read_bytes()
    styles = docx.Document(str(reference)).styles
    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Disclaimer"):
        assert styles[name].font.size == Pt(12), name
        assert styles[name].font.name == "Arial", name
    for level in range(1, 7):
        heading = styles[f"Heading {level}"]
        assert heading.font.color.rgb == RGBColor(0x1F, 0x5F, 0x7A) and heading.font.bold
        assert heading.font.size >= Pt(12)
    assert styles["Hyperlink"].font.underline
    borders = styles["Table"].element.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    assert {b.tag.split("}")[1] for b in borders} >= {"top", "bottom", "insideH", "insideV"}
    assert all(b.get(qn("w:val")) == "single" for b in borders)


def test_brand_color_reaches_headings(project: Project) -> None:
    project.set_config('color = "#1F5F7A"', 'color = "#8A2BE2"')
    project.article("purple", "## A section\n\nText.\n")
    assert project.run("docx").returncode == 0
    styles = docx.Document(str(project.out("purple", ".docx"))).styles
    assert styles["Heading 2"].font.color.rgb == RGBColor(0x8A, 0x2B, 0xE2)
    project.set_config('color = "#8A2BE2"', 'color = "purple"')
    result = project.run("docx", "--force")
    assert result.returncode == 1
    assert result.stderr == (
        "Error: config: pyproject.toml: tool.publish.brand.color: "
        'expected a colour like "#1F5F7A" or "#17A" but received: \'purple\'\n'
    )
