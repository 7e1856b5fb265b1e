"""Layout probes over the test articles on Letter and A4: PDF, DOCX (via LibreOffice) and text,
read from the rendered pages; and proof that each probe fails when a rule is broken on purpose."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import docx
import pytest
from conftest import EPOCH, REPO, Project, make_project
from docx.oxml.ns import qn
from layoutprobe import markdown_tables, read_pages, split_rows, split_words, underfull_pages, vocabulary

SLUGS = [
    "blood-pressure",
    "ketamine-neurobiology",
    "living-with-anxiety",
    "managing-medications",
    "sleep-basics",
]
BP = "blood-pressure"


def _project(dest: Path, size: str, formats: tuple[str, ...] = ("pdf", "docx"), css: str = "") -> Project:
    proj = make_project(dest, "layout", seed=True)
    for src in (REPO / "tests" / "roots" / "basic" / "source").glob("*.md"):
        (proj.source / src.name).write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    proj.set_config('page_size = "letter"', f'page_size = "{size}"')
    if css:  # a test-only override of the shipped template, to break a rule on purpose
        handout = proj.root / "templates" / "handout.css"
        handout.write_text(handout.read_text(encoding="utf-8") + css, encoding="utf-8")
    for fmt in formats:
        result = proj.run(fmt, "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
        assert result.returncode == 0, result.stderr + result.stdout
    return proj


def _libreoffice(proj: Project, out: Path, profile: Path) -> dict[str, Path]:
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf"]
    command += ["--outdir", str(out), *(str(proj.out(s, ".docx")) for s in SLUGS)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    return {s: out / f"{s}.pdf" for s in SLUGS}


@pytest.fixture(scope="module", params=["letter", "a4"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, dict]:
    size = request.param
    proj = _project(tmp_path_factory.mktemp(size) / "proj", size)
    lo = _libreoffice(proj, tmp_path_factory.mktemp(f"lo-{size}"), tmp_path_factory.mktemp("profile"))
    return proj, lo


def probe(proj: Project, slug: str, pdf: Path) -> list[str]:
    """Every fault the probes find in one rendered PDF (the handout or the DOCX through LibreOffice)."""
    source = (proj.source / f"{slug}.md").read_text(encoding="utf-8")
    extra = (proj.source / "disclaimers.yaml").read_text(encoding="utf-8")
    extra += (proj.root / "pyproject.toml").read_text(encoding="utf-8")
    tables = markdown_tables(source)
    pages = read_pages(pdf)
    faults = [f"split word {w}" for w in split_words(pages, vocabulary(source, extra))]
    faults += [f"row on two pages: {r}" for r in split_rows(pages, [r for t in tables for r in t[1:]])]
    faults += underfull_pages(pages, [" ".join(t[0]) for t in tables])
    return faults


@pytest.mark.parametrize("slug", SLUGS)
def test_pdf_probes(built: tuple[Project, dict], slug: str) -> None:
    proj, _ = built
    assert probe(proj, slug, proj.out(slug, ".pdf")) == []


@pytest.mark.parametrize("slug", SLUGS)
def test_docx_probes_through_libreoffice(built: tuple[Project, dict], slug: str) -> None:
    proj, lo = built
    assert probe(proj, slug, lo[slug]) == []


def test_docx_page_and_tables_follow_the_pdf(built: tuple[Project, dict]) -> None:
    proj, _ = built
    size = "a4" if 'page_size = "a4"' in (proj.root / "pyproject.toml").read_text() else "letter"
    document = docx.Document(io.BytesIO(proj.out(BP, ".docx").read_bytes()))
    section = document.sections[0]
    expected = (11906, 16838) if size == "a4" else (12240, 15840)
    assert (section.page_width.twips, section.page_height.twips) == expected
    assert (section.left_margin.twips, section.right_margin.twips, section.top_margin.twips) == (
        1224,
        1224,
        1080,
    )
    text_width = section.page_width.twips - 2 * 1224
    (table,) = document.tables
    tbl = table._tbl
    assert tbl.tblPr.find(qn("w:tblW")).get(qn("w:w")) == str(text_width)
    widths = [int(c.get(qn("w:w"))) for c in tbl.tblGrid.findall(qn("w:gridCol"))]
    assert sum(widths) == text_width
    # "What to do" holds the most text; "Category" only short words.
    assert widths[4] == max(widths) and widths[4] > 2 * widths[0]
    for n, row in enumerate(tbl.findall(qn("w:tr"))):
        trpr = row.find(qn("w:trPr"))
        assert trpr is not None and trpr.find(qn("w:cantSplit")) is not None, n
        assert (trpr.find(qn("w:tblHeader")) is not None) == (n == 0), n


def test_docx_page_size_can_differ_from_the_pdf(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "proj", "layout")
    proj.set_config("[tool.publish.pdf]", '[tool.publish.docx]\npage_size = "a4"\n\n[tool.publish.pdf]')
    result = proj.run("docx", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr + result.stdout
    section = docx.Document(io.BytesIO(proj.out(BP, ".docx").read_bytes())).sections[0]
    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)


def test_the_closing_disclaimers_may_split_between_disclaimers() -> None:
    style = docx.Document(str(REPO / "templates" / "reference.docx")).styles["Disclaimer"]
    assert style.paragraph_format.keep_together is True
    assert not style.paragraph_format.keep_with_next


@pytest.mark.parametrize("slug", SLUGS)
def test_text_lines_fit_72_columns(built: tuple[Project, dict], slug: str) -> None:
    proj, _ = built
    result = proj.run("text", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    lines = proj.out(slug, ".txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if len(line) > 72 and " " in line.strip()] == []


BROKEN_WORDS = "th, td { overflow-wrap: anywhere; hyphens: manual; }\n"
TALL_ROWS = "td { line-height: 3.2; }\n"  # rows tall enough that one meets the page end
BROKEN_ROWS = "tr, tbody tr:first-child, tbody tr:last-child { break-inside: auto !important; }\n"


def test_the_probes_fail_when_cells_break_words_or_rows_split(tmp_path: Path) -> None:
    words = _project(tmp_path / "words", "letter", ("pdf",), BROKEN_WORDS)
    assert [f for f in probe(words, BP, words.out(BP, ".pdf")) if f.startswith("split word")]
    rows = _project(tmp_path / "rows", "letter", ("pdf",), TALL_ROWS + BROKEN_ROWS)
    assert [f for f in probe(rows, BP, rows.out(BP, ".pdf")) if f.startswith("row on two pages")]
    kept = _project(tmp_path / "kept", "letter", ("pdf",), TALL_ROWS)  # the shipped rules hold
    assert [f for f in probe(kept, BP, kept.out(BP, ".pdf")) if f.startswith("row on two pages")] == []
