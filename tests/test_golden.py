"""Golden pictures of the seed article: the PDF's first page, the DOCX's first page through
LibreOffice and the email at 375 px, each compared with tests/golden/ within a tolerance."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import Project
from emailprobe import open_email
from golden import GOLDEN, compare
from PIL import Image, ImageDraw

SEED = "ketamine-neurobiology"
DPI = 60  # small pictures: enough to see the layout


def first_page(pdf: Path) -> Image.Image:
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(str(pdf))[0]
    return page.render(scale=DPI / 72).to_pil()


def test_pdf_first_page(seed_build: Project, tmp_path: Path, accept_golden: bool) -> None:
    compare(first_page(seed_build.out(SEED, ".pdf")), "seed-pdf.png", tmp_path, accept_golden)


def test_docx_first_page_through_libreoffice(
    seed_build: Project, tmp_path: Path, accept_golden: bool
) -> None:
    command = ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless"]
    command += ["--convert-to", "pdf", "--outdir", str(tmp_path), str(seed_build.out(SEED, ".docx"))]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    compare(first_page(tmp_path / f"{SEED}.pdf"), "seed-docx.png", tmp_path, accept_golden)


def test_email_at_375px(browser: Any, seed_build: Project, tmp_path: Path, accept_golden: bool) -> None:
    page = open_email(browser, seed_build.out(SEED, ".email.html"), 375)
    shot = Image.open(io.BytesIO(page.screenshot()))  # the first 800 px, what a phone shows first
    page.close()
    compare(shot, "seed-email-375.png", tmp_path, accept_golden)


def test_a_changed_picture_fails_with_the_path_of_a_diff_image(tmp_path: Path) -> None:
    changed = Image.open(GOLDEN / "seed-pdf.png")
    ImageDraw.Draw(changed).rectangle((60, 200, 400, 230), fill="white")  # a line of text gone
    with pytest.raises(pytest.fail.Exception) as failed:
        compare(changed, "seed-pdf.png", tmp_path, accept=False)
    diff = tmp_path / "diff-seed-pdf.png"
    assert f"see {diff};" in str(failed.value)
    assert diff.is_file()
    smaller = changed.resize((changed.width // 2, changed.height // 2))
    with pytest.raises(pytest.fail.Exception, match="the golden picture"):
        compare(smaller, "seed-pdf.png", tmp_path, accept=False)
