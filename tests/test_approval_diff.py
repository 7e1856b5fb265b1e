"""`publish.py diff`: what changed since approval, in the report and as a tracked-changes DOCX."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest
from conftest import EPOCH, Project
from lxml import html as lxml_html
from PIL import Image
from test_approval import SLUG, approve, proj, run  # noqa: F401 - the approval project fixture

from publishkit.pipeline.trackchanges import Disclaimers, changes_docx

DISCLAIMERS = ["not-medical-advice"]  # what the test project applies to every article


def test_diff_shows_words_disclaimer_wording_and_presentation(proj: Project) -> None:  # noqa: F811
    approve(proj)
    src = proj.source / f"{SLUG}.md"
    src.write_text(
        src.read_text(encoding="utf-8").replace("dark and quiet", "dark and cool"), encoding="utf-8"
    )
    reg = proj.source / "disclaimers.yaml"
    reg.write_text(
        reg.read_text(encoding="utf-8").replace("Talk to your clinician before", "Ask your clinician before"),
        encoding="utf-8",
    )
    proj.set_config('phone = "(503) 555-0142"', 'phone = "(503) 555-0100"')
    out = run(proj, "diff", SLUG)
    assert "  Habits that help:\n    deleted: quiet.\n    inserted: cool.\n" in out
    assert "  disclaimer 'not-medical-advice' (reworded):\n    deleted: Talk to\n    inserted: Ask\n" in out
    assert "  presentation: clinic phone: (503) 555-0142 → (503) 555-0100\n" in out
    assert f"Report: build/{SLUG}/{SLUG}.diff.html\n" in out
    html = (proj.build / SLUG / f"{SLUG}.diff.html").read_text(encoding="utf-8")
    assert "<del>quiet.</del> <ins>cool.</ins>" in html and "<del>Talk to</del> <ins>Ask</ins>" in html


def test_diff_writes_a_tracked_changes_docx_that_libreoffice_shows(proj: Project, tmp_path: Path) -> None:  # noqa: F811
    approve(proj)
    src = proj.source / f"{SLUG}.md"
    src.write_text(
        src.read_text(encoding="utf-8").replace("dark and quiet", "dark and cool"), encoding="utf-8"
    )
    assert run(proj, "diff", SLUG).endswith(f"Tracked changes: build/{SLUG}/{SLUG}.changes.docx\n")
    path = proj.build / SLUG / f"{SLUG}.changes.docx"
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    when = 'w:author="publishkit" w:date="2026-11-15T00:00:00Z"'
    assert re.findall(r"<w:del [^>]*>.*?</w:del>", xml) == [
        f'<w:del w:id="1" {when}><w:r><w:delText xml:space="preserve"> quiet.</w:delText></w:r></w:del>'
    ]
    assert re.findall(r"<w:ins [^>]*>.*?</w:ins>", xml) == [
        f'<w:ins w:id="2" {when}><w:r><w:t xml:space="preserve"> cool.</w:t></w:r></w:ins>'
    ]
    document = docx.Document(io.BytesIO(path.read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "Article",
        "Habits that help",
        "When to see your clinician",
        "Disclaimers",
        *DISCLAIMERS,
    ]
    # LibreOffice shows tracked changes by default: the inserted word and the struck-out one.
    text = libreoffice_text(path, tmp_path)
    assert "keep the bedroom dark and quiet. cool." in text
    assert "Talk to your clinician before" in text  # the disclaimer, unchanged, in full


def libreoffice_text(path: Path, tmp_path: Path) -> str:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (make test installs it)")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    pdf = pdfium.PdfDocument((tmp_path / path.with_suffix(".pdf").name).read_bytes())
    return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pdf)


def test_tracked_changes_mark_an_inserted_paragraph_and_a_removed_disclaimer() -> None:
    old = "---\ntitle: A\n---\n\nFirst paragraph.\n\n## Section\n\nHard wrapped\nprose.\n"
    new = "---\ntitle: A\n---\n\nFirst paragraph.\n\nA new one.\n\n## Section\n\nHard wrapped\nprose.\n"
    data, ops = changes_docx(
        title="T",
        heading="h",
        old=old,
        new=new,
        disclaimers=[Disclaimers("gone", "Old wording.", "")],
        built_at=datetime(2026, 11, 15, tzinfo=UTC),
    )
    assert ops == ["+", "+", "-"]  # the words, their paragraph mark, the removed disclaimer
    document = docx.Document(io.BytesIO(data))
    # What Word shows once every change is accepted: w:t (kept and inserted), never w:delText.
    texts = ["".join(t.text for t in p._p.xpath(".//w:t")) for p in document.paragraphs]
    assert texts[texts.index("First paragraph.") :] == [
        "First paragraph.",
        "A new one.",
        "Section",
        "Hard wrapped prose.",
        "Disclaimers",
        "gone",
        "",
    ]
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert '<w:pPr><w:rPr><w:ins w:id="2" w:author="publishkit"' in xml
    assert '<w:delText xml:space="preserve">Old wording.</w:delText>' in xml
    assert (
        data
        == changes_docx(
            title="T",
            heading="h",
            old=old,
            new=new,
            disclaimers=[Disclaimers("gone", "Old wording.", "")],
            built_at=datetime(2026, 11, 15, tzinfo=UTC),
        )[0]
    )  # equal input, equal bytes


def gallery_card(p: Project) -> tuple[list[str], str, list[str]]:
    """The card's badges, its approval line and that line's links, as the gallery shows them."""
    page = lxml_html.fromstring((p.build / "index.html").read_bytes())
    (card,) = page.xpath(f"//article[@id='{SLUG}']")
    badges = [b.text_content().strip() for b in card.xpath("./header/span[contains(@class, 'badge')]")]
    lines = card.xpath(".//p[contains(@class, 'approval')]")
    line = " ".join(lines[0].text_content().split()) if lines else ""
    return badges, line, [a.get("href") for a in (lines[0].xpath(".//a") if lines else [])]


def test_gallery_shows_approval_state_and_links_the_diff_report(proj: Project) -> None:  # noqa: F811
    run(proj, "all", "--jobs", "1")
    assert gallery_card(proj) == (
        ["ok", "DRAFT"],
        "DRAFT – not approved for patient use: never approved. "
        f"Approve it with python publish.py approve {SLUG} --by NAME.",
        [],
    )
    approve(proj)
    badges, line, links = gallery_card(proj)
    assert badges == ["ok", "approved"] and links == []
    assert re.fullmatch(r"Approved by Dana Whitfield, MD, 2026-11-15 \(approval [0-9a-f]{8}\)\.", line), line
    short = line[-10:-2]

    src = proj.source / f"{SLUG}.md"
    src.write_text(
        src.read_text(encoding="utf-8").replace("dark and quiet", "dark and cool"), encoding="utf-8"
    )
    run(proj, "diff", SLUG)
    run(proj, "all", "--jobs", "1")
    badges, line, links = gallery_card(proj)
    assert badges == ["ok", "DRAFT"]
    assert line.startswith(
        "DRAFT – not approved for patient use: changed since the approval by Dana Whitfield, MD, "
        f"2026-11-15 (approval {short})."
    )
    assert line.endswith("What changed since approval") and links == [f"{SLUG}/{SLUG}.diff.html"]
    assert (proj.build / links[0]).is_file()


def test_check_counts_the_review_from_the_last_approval(proj: Project) -> None:  # noqa: F811
    run(proj, "approve", SLUG, "--by", "Dana Whitfield, MD", "--date", "2024-01-10")
    result = proj.run("check", SLUG, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.stderr == (
        f"Warning: check: source/{SLUG}.md:4: review overdue: last approved 2024-01-10 by Dana Whitfield, "
        "MD, next review was due 2025-01-10 (674 days ago). Outputs carry a 'Review overdue' mark until "
        "a clinician approves it again (publish.py approve) (--strict refuses it)\n"
    )
    assert "review overdue" in proj.out(SLUG, ".txt").read_text(encoding="utf-8").casefold()
    approve(proj)  # today, 2026-11-15: the front matter says 2026-11-01, the approval wins
    result = proj.run("check", SLUG, env={"SOURCE_DATE_EPOCH": EPOCH})
    assert "review overdue" not in result.stdout + result.stderr
    check = json.loads((proj.build / "check.json").read_text(encoding="utf-8"))
    assert check["articles"][SLUG]["review"]["reviewed"] == "2026-11-15"


def test_diff_report_shows_the_changed_pdf_pages_side_by_side(proj: Project) -> None:  # noqa: F811
    approve(proj)
    src = proj.source / f"{SLUG}.md"
    src.write_text(
        src.read_text(encoding="utf-8").replace("dark and quiet", "dark and cool"), encoding="utf-8"
    )
    run(proj, "all", "--jobs", "1")
    run(proj, "diff", SLUG)
    folder = proj.build / SLUG
    page = lxml_html.fromstring((folder / f"{SLUG}.diff.html").read_bytes())
    # Page 2 holds only the language-access taglines; it differs by its DRAFT band alone.
    sections = page.xpath("//section[@class='page']")
    assert [s.xpath("./h3/text()") for s in sections] == [["Page 1"], ["Page 2"]]
    section = sections[0]
    assert section.xpath(".//img/@src") == [f"{SLUG}.p1.before.png", f"{SLUG}.p1.after.png"]
    with Image.open(folder / f"{SLUG}.p1.before.png") as b, Image.open(folder / f"{SLUG}.p1.after.png") as a:
        before, after = b.copy(), a.convert("RGB")
    assert before.size == after.size and before.width == 700
    colours = dict((c, n) for n, c in after.getcolors(maxcolors=1 << 24) or [])
    assert colours.get((214, 40, 40), 0) > 500  # the red boxes around the changes


def test_compare_pages_skips_unchanged_pages_and_boxes_each_changed_area(tmp_path: Path) -> None:
    from publishkit.pipeline.pagediff import compare_pages

    def pdf(pages: list[str]) -> bytes:
        """Letter pages; "bar" draws a black bar that stands in for a changed line."""
        images = []
        for what in pages:
            image = Image.new("RGB", (612, 792), "white")
            if what == "bar":
                image.paste((0, 0, 0), (100, 300, 300, 310))
            images.append(image)
        out = io.BytesIO()
        images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=72)
        return out.getvalue()

    pairs = compare_pages(pdf(["", "", ""]), pdf(["", "bar", ""]), tmp_path, "x")
    assert [(p.number, p.before, p.after, p.boxes) for p in pairs] == [
        (2, "x.p2.before.png", "x.p2.after.png", 1)
    ]
    assert sorted(f.name for f in tmp_path.iterdir()) == ["x.p2.after.png", "x.p2.before.png"]
    assert compare_pages(pdf(["", ""]), pdf([""]), tmp_path, "y")[0].after == ""  # a removed page


def test_tracked_changes_paragraphs_follow_the_source() -> None:
    from publishkit.pipeline.trackchanges import tokens

    source = "---\ntitle: A\nsummary: >-\n  Learn how it\n  works.\nemail:\n  subject: Hi\n---\n\nHard\nwrapped.\n- item\n"
    paragraphs = " ".join(tokens(source)).split(" \n ")
    assert paragraphs == [
        "---",
        "title: A",
        "summary: >- Learn how it works.",  # a folded value stays one paragraph
        "email:",
        "subject: Hi",
        "---",
        "Hard wrapped.",
        "- item",
    ]
