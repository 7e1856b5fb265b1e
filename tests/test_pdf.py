"""The PDF handout: page footers, fonts, tags, provenance, reproducible bytes, large print."""

from __future__ import annotations

import collections
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import EPOCH, Project, make_project

from publishkit.audit.core import normalize
from publishkit.audit.readers import PDF_FOOTER_BAND
from publishkit.model.registry import load_registry

SLUGS = ("ketamine-neurobiology", "living-with-anxiety", "managing-medications", "sleep-basics")
TITLES = {
    "ketamine-neurobiology": "Unveiling the Mysterious Neurobiology of Ketamine",
    "living-with-anxiety": "Living Well with Anxiety: A Guide for You and Your Family",
}


def pdf_path(project: Project, slug: str) -> Path:
    return project.out(slug, ".pdf")


def manifest_disclaimers(project: Project, slug: str) -> list[str]:
    data = json.loads((project.build / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in data["outputs"] if e["slug"] == slug and e["format"] == "pdf")
    return list(entry["disclaimers"])


def pages_text(path: Path, top: float | None = None, bottom: float | None = None) -> list[str]:
    """Every page's text by PDFium; with ``top``/``bottom`` (pt from the bottom) only that band."""
    doc = pdfium.PdfDocument(path)
    out = []
    for page in doc:
        textpage = page.get_textpage()
        if top is None and bottom is None:
            out.append(textpage.get_text_range())
        else:
            _w, h = page.get_size()
            out.append(textpage.get_text_bounded(bottom=bottom or 0, top=top if top is not None else h))
    doc.close()
    return out


def body_font_size(path: Path) -> float:
    """The most common font size (pt) of letters on the PDF's pages: the body text's size."""
    doc = pdfium.PdfDocument(path)
    sizes: collections.Counter[float] = collections.Counter()
    for page in doc:
        textpage = page.get_textpage()
        for i in range(textpage.count_chars()):
            if textpage.get_text_range(i, 1).isalpha():
                # The font size times the text object's scale (WeasyPrint draws in CSS px at 0.75).
                obj = textpage.get_textobj(i)
                a, b, c, d, _e, _f = obj.get_matrix().get()
                sizes[round(obj.get_font_size() * abs(a * d - b * c) ** 0.5, 1)] += 1
    doc.close()
    return sizes.most_common(1)[0][0]


# --- the seed article and the test articles, built once (conftest.seed_build) ----------------


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_footer_has_short_disclaimers_and_page_x_of_y(seed_build: Project, slug: str) -> None:
    registry = load_registry(seed_build.source / "disclaimers.yaml")
    ids = manifest_disclaimers(seed_build, slug)
    assert "not-medical-advice" in ids
    shorts = [registry.get(i).short for i in ids]  # type: ignore[union-attr]
    # Read with poppler too, not only the PDFium reader the build's audit uses.
    poppler = subprocess.run(
        ["pdftotext", "-layout", str(pdf_path(seed_build, slug)), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\f")
    footers = pages_text(pdf_path(seed_build, slug), top=PDF_FOOTER_BAND)
    total = len(footers)
    for number, footer in enumerate(footers, 1):
        for short in shorts:
            assert normalize(short) in normalize(footer), (slug, number, short)
            assert normalize(short) in normalize(poppler[number - 1]), (slug, number, short)
        assert f"Page {number} of {total}" in footer
        assert f"Page {number} of {total}" in poppler[number - 1]


@pytest.mark.parametrize("slug", SLUGS)
def test_footer_band_holds_the_footer_and_nothing_else(seed_build: Project, slug: str) -> None:
    """The audit's band must match where the footer really is: no body text may fall into it."""
    registry = load_registry(seed_build.source / "disclaimers.yaml")
    shorts = [registry.get(i).short for i in manifest_disclaimers(seed_build, slug)]  # type: ignore[union-attr]
    footers = pages_text(pdf_path(seed_build, slug), top=PDF_FOOTER_BAND)
    for number, footer in enumerate(footers, 1):
        expected = [*shorts, f"Riverside Mind & Body Clinic Page {number} of {len(footers)}"]
        assert normalize(footer) == normalize(" ".join(expected))


def test_long_article_has_five_or_more_pages(seed_build: Project) -> None:
    assert len(pages_text(pdf_path(seed_build, "living-with-anxiety"))) >= 5


@pytest.mark.parametrize("slug", ["ketamine-neurobiology", "living-with-anxiety"])
def test_running_header_with_the_title_from_page_two(seed_build: Project, slug: str) -> None:
    doc = pdfium.PdfDocument(pdf_path(seed_build, slug))
    h = doc[0].get_size()[1]
    doc.close()
    headers = pages_text(pdf_path(seed_build, slug), bottom=h - 50)  # the top margin
    assert len(headers) >= 2
    assert TITLES[slug] not in headers[0]
    for number, header in enumerate(headers[1:], 2):
        assert normalize(TITLES[slug]) in normalize(header), number


def test_first_page_letterhead_title_summary(seed_build: Project) -> None:
    first = normalize(pages_text(pdf_path(seed_build, "ketamine-neurobiology"))[0])
    order = [
        "Riverside Mind & Body Clinic",
        "1200 Harbor Street",
        "(503) 555-0142",
        "www.riversidemindbody.example",
        TITLES["ketamine-neurobiology"],
        "Ketamine, an anesthetic, is being studied",
        "Ketamine Use in Treating",
    ]
    positions = [first.find(normalize(x)) for x in order]
    assert all(p >= 0 for p in positions), positions
    assert positions == sorted(positions)


@pytest.mark.parametrize("slug", SLUGS)
def test_all_fonts_embedded_and_shipped(seed_build: Project, slug: str) -> None:
    out = subprocess.run(
        ["pdffonts", str(pdf_path(seed_build, slug))], capture_output=True, text=True, check=True
    ).stdout
    rows = [line for line in out.splitlines()[2:] if line.strip()]
    assert rows
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert emb == "yes", row
        # the shipped Noto subsets (PK-Noto-...) draw the language-access taglines
        assert any(f in name for f in ("Atkinson-Hyperlegible", "NotoSans", "Noto-Sans")), row


def test_non_ascii_text_survives(seed_build: Project) -> None:
    text = "".join(pages_text(pdf_path(seed_build, "managing-medications")))
    for word in ("µg", "25 °C", "Café au lait", "piña colada", "≥ 1 mg", "Ana Muñoz"):
        assert word in text, word


def test_content_visible_when_pdf_only_in_pdf(seed_build: Project) -> None:
    pdf = "".join(pages_text(pdf_path(seed_build, "sleep-basics")))
    assert "PRINTONLY" in pdf and "PAPERONLY" in pdf
    for other in ("EMAILONLY", "TEXTONLY", "DOCXONLY", "NOTINPDF"):
        assert other not in pdf
    for suffix in (".txt", ".email.html"):
        assert "PRINTONLY" not in seed_build.out("sleep-basics", suffix).read_text(encoding="utf-8")


@pytest.mark.parametrize("slug", SLUGS)
def test_end_block_full_disclaimers_review_and_reference(seed_build: Project, slug: str) -> None:
    registry = load_registry(seed_build.source / "disclaimers.yaml")
    pages = pages_text(pdf_path(seed_build, slug))
    whole = normalize(" ".join(pages))
    for i in manifest_disclaimers(seed_build, slug):
        full = re.sub(r"\*\*", "", registry.get(i).text)  # type: ignore[union-attr]
        assert normalize(full) in whole, i
    # the end block closes the article; the language-access taglines may follow on a page of their own
    last = normalize(" ".join(pages[-2:]))
    assert "last reviewed" in last
    assert f"ref {slug} · source " in last


def test_tagged_pdf_ua_with_language_title_and_provenance(seed_build: Project) -> None:
    with pikepdf.open(pdf_path(seed_build, "ketamine-neurobiology")) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "en-US"
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert "/StructTreeRoot" in root
        kinds: set[str] = set()

        def walk(node: pikepdf.Object) -> None:
            if isinstance(node, pikepdf.Dictionary):
                if "/S" in node:
                    kinds.add(str(node.S))
                walk(node.get("/K"))
            elif isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child)

        walk(root.StructTreeRoot)
        assert {"/H1", "/H2", "/P"} <= kinds
        info = pdf.docinfo
        assert str(info.Title) == TITLES["ketamine-neurobiology"]
        assert str(info["/publishkitreference"]).startswith("Ref ketamine-neurobiology · source ")
        assert str(info.CreationDate) == str(info.ModDate) == "D:20261115000000Z"  # the build clock
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        assert re.fullmatch(rb"[0-9a-f]{32}", bytes(pdf.trailer.ID[0]))  # pinned, not random


# --- reproducible bytes: another folder, another process, the same SOURCE_DATE_EPOCH ----------


@pytest.fixture(scope="session")
def second_build(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("again") / "elsewhere", "basic", seed=True)
    result = proj.run("pdf", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    return proj


@pytest.mark.parametrize("slug", SLUGS)
def test_pdf_bytes_reproducible(seed_build: Project, second_build: Project, slug: str) -> None:
    a, b = (hashlib.sha256(pdf_path(p, slug).read_bytes()).hexdigest() for p in (seed_build, second_build))
    assert a == b


# --- large print ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def large_build(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("large") / "proj", "basic", seed=True)
    # These tests measure the body text's size by counting letters; the 9 pt taglines outnumber a
    # short article's (test_taglines.py covers them, and large print keeps them at the body size).
    proj.set_config("taglines = [", "# taglines = [")
    result = proj.run("pdf", "--large-print", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr  # the same audit passed
    return proj


def test_standard_body_text_is_12pt(seed_build: Project) -> None:
    assert body_font_size(pdf_path(seed_build, "living-with-anxiety")) == 12.0


@pytest.mark.parametrize("slug", SLUGS)
def test_large_print_is_18pt_with_footers_on_every_page(
    large_build: Project, seed_build: Project, slug: str
) -> None:
    path = large_build.out(slug, ".large-print.pdf")
    assert body_font_size(path) == 18.0
    footers = pages_text(path, top=PDF_FOOTER_BAND)
    assert len(footers) > len(pages_text(pdf_path(seed_build, slug))) or len(footers) > 1
    for number, footer in enumerate(footers, 1):
        assert "General information only, not medical advice." in footer
        assert f"Page {number} of {len(footers)}" in footer


def test_large_print_is_an_edition_beside_the_standard_one(large_build: Project) -> None:
    again = large_build.run("pdf", "sleep-basics", "--large-print", "--jobs", "1")
    assert "unchanged" in again.stdout and again.returncode == 0
    assert not pdf_path(large_build, "sleep-basics").exists()  # only the large-print edition was asked for
    standard = large_build.run("pdf", "sleep-basics", "--jobs", "1")
    assert "built" in standard.stdout and standard.returncode == 0
    assert body_font_size(pdf_path(large_build, "sleep-basics")) == 12.0
    assert body_font_size(large_build.out("sleep-basics", ".large-print.pdf")) == 18.0
    large_build.set_config(
        'page_size = "letter"', 'page_size = "letter"\neditions = ["standard", "large-print"]'
    )
    both = large_build.run("pdf", "sleep-basics", "--jobs", "1")
    assert both.returncode == 0, both.stderr
    assert "built" not in both.stdout  # both editions are already up to date, each under its own name


def test_nothing_to_do_does_not_import_weasyprint(seed_build: Project) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "publish.py", "pdf", "--jobs", "1"],
        cwd=seed_build.root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    assert result.returncode == 0, result.stderr
    assert "unchanged" in result.stdout and "built " not in result.stdout
    assert "weasyprint" not in result.stderr


def test_audit_requires_page_x_of_y_in_every_pdf_footer() -> None:
    from publishkit.audit.core import Extracted, Requirement, audit
    from publishkit.errors import AuditError

    req = [Requirement("a", "Full text.", "Short text.")]
    good = Extracted(
        pages=("Full text. Last reviewed May 1, 2026", "x"),
        footers=("Short text. Page 1 of 2", "Short text. Page 2 of 2"),
    )
    audit("x.pdf", good, req, "Last reviewed May 1, 2026")
    wrong_total = Extracted(pages=good.pages, footers=("Short text. Page 1 of 2", "Short text. Page 2 of 3"))
    with pytest.raises(AuditError, match=r"'Page 2 of 2' missing in the footer on page 2"):
        audit("x.pdf", wrong_total, req, "Last reviewed May 1, 2026")


def test_a4_page_size(project: Project) -> None:
    project.set_config('page_size = "letter"', 'page_size = "a4"')
    project.article("paper", "Some text.\n")
    result = project.run("pdf", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    doc = pdfium.PdfDocument(project.out("paper", ".pdf"))
    assert tuple(round(x) for x in doc[0].get_size()) == (595, 842)
    doc.close()


def test_no_build_leaves_weasyprint_font_folders_behind(project: Project, tmp_path: Path) -> None:
    """WeasyPrint copies the handout's @font-face fonts to a temporary folder per font
    configuration; every process that laid out a handout (a pool's workers, a one-article
    build's helper, the main process with --jobs 1) deletes its own before it ends."""
    for slug in ("one", "two", "three", "four", "five"):
        project.article(slug, f"Paragraph about {slug} for the reader.\n")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {"SOURCE_DATE_EPOCH": EPOCH, "TMPDIR": str(tmp)}
    for args in (["--jobs", "2"], ["one", "--jobs", "2"], ["two", "--jobs", "1"]):
        result = project.run("pdf", "--force", *args, env=env)
        assert result.returncode == 0, result.stderr
        assert "Exception ignored" not in result.stderr, result.stderr
        assert sorted(p.name for p in tmp.iterdir()) == [], args
