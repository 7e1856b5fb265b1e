"""Clinics and editions: every article x format x clinic x edition, each showing only its own clinic."""

from __future__ import annotations

import email
import hashlib
import io
import json
import shutil
import subprocess
from email import policy
from pathlib import Path

import pytest
from conftest import EPOCH, Project, make_project

EASTSIDE = """
[tool.publish.brands.eastside]
name = "Eastside Family Health"
address = "88 Division Street, Portland, OR 97202"
phone = "(503) 555-0199"
website = "https://eastside.example"
color = "#7A1F3D"

[tool.publish.brands.eastside.email]
from = "Eastside Family Health <news@eastside.example>"
unsubscribe_url = "https://eastside.example/unsubscribe"
"""
RIVERSIDE = ("Riverside Mind & Body Clinic", "(503) 555-0142")
EAST = ("Eastside Family Health", "(503) 555-0199")
ENV = {"SOURCE_DATE_EPOCH": EPOCH}


def add_eastside(proj: Project, editions: bool = True) -> None:
    with (proj.root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(EASTSIDE)
        if editions:
            f.write('\n[tool.publish.docx]\neditions = ["standard", "large-print"]\n')
    if editions:
        proj.set_config(
            'page_size = "letter"', 'page_size = "letter"\neditions = ["standard", "large-print"]'
        )


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("variants") / "proj", seed=True)
    proj.article(
        "sleep-basics", "Sleep helps your body recover.\n\n## Habits\n\nGo to bed at the same time.\n"
    )
    add_eastside(proj)
    result = proj.run("all", "--jobs", "2", env=ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    return proj


def _manifest(proj: Project) -> list[dict[str, object]]:
    return json.loads((proj.build / "manifest.json").read_text(encoding="utf-8"))["outputs"]


def _text_of(path: Path) -> str:
    data = path.read_bytes()
    if path.suffix == ".pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            return "\n".join(page.get_textpage().get_text_range() for page in pdf)
        finally:
            pdf.close()
    if path.suffix == ".docx":
        import docx

        document = docx.Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        for section in document.sections:
            parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
        return "\n".join(parts)
    if path.suffix == ".eml":
        msg = email.message_from_bytes(data, policy=policy.default)
        return "\n".join(str(part.get_content()) for part in msg.iter_parts())  # type: ignore[attr-defined]
    return data.decode("utf-8")


def test_every_article_format_clinic_and_edition_is_built_and_listed(catalog: Project) -> None:
    entries = _manifest(catalog)
    got = {(e["slug"], e["format"], e["brand"], e["language"], e["edition"]) for e in entries}
    expected = set()
    for slug in ("ketamine-neurobiology", "sleep-basics"):
        for brand in ("default", "eastside"):
            for fmt in ("text", "email", "eml", "pdf", "docx"):
                editions = ("standard", "large-print") if fmt in ("pdf", "docx") else ("standard",)
                lang = "en-US" if slug == "ketamine-neurobiology" else "en"
                expected |= {(slug, fmt, brand, lang, e) for e in editions}
    assert got == expected
    paths = {e["path"] for e in entries}
    assert "sleep-basics/sleep-basics.pdf" in paths  # the default keeps today's name
    assert "sleep-basics/sleep-basics.large-print.pdf" in paths
    assert "sleep-basics/eastside/sleep-basics.large-print.docx" in paths
    assert len(paths) == len(entries)
    for e in entries:
        assert (catalog.build / str(e["path"])).is_file()


@pytest.mark.parametrize("suffix", [".txt", ".email.html", ".eml", ".pdf", ".large-print.pdf", ".docx"])
def test_each_clinic_shows_only_its_own_name_and_phone(catalog: Project, suffix: str) -> None:
    for folder, own, other in (("", RIVERSIDE, EAST), ("eastside/", EAST, RIVERSIDE)):
        text = _text_of(catalog.build / "sleep-basics" / f"{folder}sleep-basics{suffix}")
        flat = " ".join(text.replace("&amp;", "&").split())
        for fact in own:
            assert fact in flat, (folder, suffix, fact)
        for fact in other:
            assert fact not in flat, (folder, suffix, fact)


def test_libreoffice_shows_each_clinics_docx_with_its_own_contact_block(
    catalog: Project, tmp_path: Path
) -> None:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (make test installs it)")
    src = catalog.build / "sleep-basics" / "eastside" / "sleep-basics.docx"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        check=True,
        capture_output=True,
        timeout=180,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "sleep-basics.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Eastside Family Health" in flat and "88 Division Street, Portland, OR 97202" in flat
    assert "(503) 555-0199" in flat and "Riverside" not in flat and "555-0142" not in flat


def test_large_print_editions_have_18_pt_body_text(catalog: Project) -> None:
    from publishkit.audit.readers import READERS

    for kind, name in (
        ("pages", "sleep-basics.large-print.pdf"),
        ("sections", "sleep-basics.large-print.docx"),
    ):
        body_pt = READERS[kind].body_pt
        assert body_pt is not None
        data = (catalog.build / "sleep-basics" / "eastside" / name).read_bytes()
        assert body_pt(data) >= 18.0
        standard = (catalog.build / "sleep-basics" / name.replace(".large-print", "")).read_bytes()
        assert body_pt(standard) < 18.0


def test_verify_passes_then_catches_a_hand_edited_variant(catalog: Project, tmp_path: Path) -> None:
    proj = make_project(tmp_path / "copy")
    shutil.rmtree(proj.root)
    shutil.copytree(catalog.root, proj.root)
    ok = proj.run("verify")
    assert ok.returncode == 0, ok.stderr + ok.stdout
    target = proj.build / "sleep-basics" / "eastside" / "sleep-basics.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("Eastside", "Westside"), encoding="utf-8")
    bad = proj.run("verify")
    assert bad.returncode == 1
    assert "build/sleep-basics/eastside/sleep-basics.txt: changed since it was built" in bad.stderr


def test_an_output_showing_another_clinics_phone_is_refused_for_that_clinic_only(project: Project) -> None:
    add_eastside(project, editions=False)
    project.article("referral", "Call Riverside at (503) 555-0142 to book.\n")
    result = project.run("text", "--jobs", "1", env=ENV)
    assert result.returncode == 1
    assert (
        "Error: audit: referral.txt: shows the phone of another clinic ('(503) 555-0142' of default): "
        "each clinic's outputs carry only its own details"
    ) in result.stderr
    assert project.out("referral", ".txt").is_file()  # the default clinic's own phone is fine
    assert not (project.build / "referral" / "eastside" / "referral.txt").exists()


def _hashes(proj: Project, folder: str = "") -> dict[str, str]:
    out = {}
    for path in sorted((proj.build / "sleep-basics" / folder).glob("sleep-basics*")):
        if path.is_file():
            out[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def test_adding_a_clinic_leaves_the_default_clinics_outputs_byte_identical(
    catalog: Project, tmp_path: Path
) -> None:
    alone = make_project(tmp_path / "alone")
    shutil.copy(catalog.source / "sleep-basics.md", alone.source)
    result = alone.run("all", "--jobs", "1", env=ENV)
    assert result.returncode == 0, result.stderr
    both = {k: v for k, v in _hashes(catalog).items() if ".large-print." not in k}
    assert _hashes(alone) == both


def test_one_clinics_phone_change_rebuilds_only_that_clinics_outputs(project: Project) -> None:
    add_eastside(project, editions=False)
    project.article("sleep-basics", "Sleep helps your body recover.\n")
    assert project.run("all", "--jobs", "1", env=ENV).returncode == 0
    project.set_config('phone = "(503) 555-0199"', 'phone = "(503) 555-0188"')
    result = project.run("all", "--jobs", "1", env=ENV)
    assert result.returncode == 0, result.stderr
    built = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("built ")]
    assert built and all("/eastside/" in path for path in built), built
    text = (project.build / "sleep-basics" / "eastside" / "sleep-basics.txt").read_text()
    assert "(503) 555-0188" in " ".join(text.split())


def test_brand_option_narrows_and_refuses_an_unknown_clinic(project: Project) -> None:
    add_eastside(project, editions=False)
    project.article("sleep-basics", "Sleep helps your body recover.\n")
    result = project.run("text", "--brand", "eastside", "--jobs", "1", env=ENV)
    assert result.returncode == 0, result.stderr
    assert (project.build / "sleep-basics" / "eastside" / "sleep-basics.txt").is_file()
    assert not project.out("sleep-basics", ".txt").exists()
    bad = project.run("text", "--brand", "westside", env=ENV)
    assert bad.returncode == 1
    assert "no clinic 'westside'. Clinics: default, eastside" in bad.stderr


def test_a_slug_equal_to_a_clinic_id_does_not_collide(project: Project) -> None:
    add_eastside(project, editions=False)
    project.article("eastside", "A page about the Eastside neighbourhood.\n")
    result = project.run("text", "--jobs", "1", env=ENV)
    assert result.returncode == 0, result.stderr
    assert project.out("eastside", ".txt").is_file()
    assert (project.build / "eastside" / "eastside" / "eastside.txt").is_file()


def test_large_print_flag_builds_beside_the_standard_edition(project: Project) -> None:
    project.article("sleep-basics", "Sleep helps your body recover.\n")
    assert project.run("pdf", "--jobs", "1", env=ENV).returncode == 0
    standard = project.out("sleep-basics", ".pdf").read_bytes()
    result = project.run("pdf", "--large-print", "--jobs", "1", env=ENV)
    assert result.returncode == 0, result.stderr
    assert project.out("sleep-basics", ".pdf").read_bytes() == standard
    assert project.out("sleep-basics", ".large-print.pdf").is_file()


def test_a_large_print_edition_with_small_text_is_refused(project: Project) -> None:
    project.article("sleep-basics", "Sleep helps your body recover.\n")
    css = project.root / "templates" / "handout.css"
    css.write_text(
        css.read_text(encoding="utf-8") + "\nbody { font-size: 12pt !important; }\n", encoding="utf-8"
    )
    result = project.run("pdf", "--large-print", "--jobs", "1", env=ENV)
    assert result.returncode == 1
    assert (
        "Error: audit: sleep-basics.large-print.pdf: the large-print edition needs body text of at least "
        "18 pt, found 12 pt"
    ) in result.stderr
    assert not project.out("sleep-basics", ".large-print.pdf").exists()


def test_each_clinics_colours_are_its_own_in_the_email_and_handout(catalog: Project) -> None:
    from publishkit.model.brands import shades

    east, default = shades("#7A1F3D"), shades("#1F5F7A")
    html = (catalog.build / "sleep-basics" / "eastside" / "sleep-basics.email.html").read_text(
        encoding="utf-8"
    )
    for colour in east.values():
        assert colour in html
    assert not any(colour in html for colour in default.values())
    own = (catalog.build / "sleep-basics" / "sleep-basics.email.html").read_text(encoding="utf-8")
    assert default["brand"] in own and east["brand"] not in own


def test_the_gallery_has_a_card_per_clinic_and_edition_and_a_filter(
    catalog: Project, browser: object
) -> None:
    html = (catalog.build / "index.html").read_text(encoding="utf-8")
    assert "2 articles · 8 versions" in html
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto((catalog.build / "index.html").as_uri())
        cards = page.locator("article.card")
        assert cards.count() == 8
        page.select_option("#filter-brand", "eastside")
        page.select_option("#filter-edition", "large-print")
        visible = [c.get_attribute("id") for c in cards.all() if c.is_visible()]
        assert visible == [
            "ketamine-neurobiology--eastside--large-print",
            "sleep-basics--eastside--large-print",
        ]
        shown = page.locator("article.card:visible a", has_text="PDF handout").first.get_attribute("href")
        assert shown == "ketamine-neurobiology/eastside/ketamine-neurobiology.large-print.pdf"
    finally:
        page.close()


def test_a_clinic_no_longer_configured_drops_out_of_the_manifest(project: Project) -> None:
    """The manifest keeps the outputs of the clinics still configured, in editions their format
    makes (asked once per kind of output): a large-print edition stays, as --large-print makes
    it; verify accepts what is left."""
    add_eastside(project)
    project.article("sleep-basics", "Sleep helps your body recover.\n")
    assert project.run("text", "--jobs", "1", env=ENV).returncode == 0
    assert project.run("docx", "--jobs", "1", env=ENV).returncode == 0
    kinds = {(e["format"], e["brand"], e["edition"]) for e in _manifest(project)}
    assert kinds == {(f, b, "standard") for f in ("text", "docx") for b in ("default", "eastside")} | {
        ("docx", b, "large-print") for b in ("default", "eastside")
    }
    project.set_config(EASTSIDE, "")
    result = project.run("text", "--jobs", "1", env=ENV)
    assert result.returncode == 0, result.stderr
    assert {(e["format"], e["brand"], e["edition"]) for e in _manifest(project)} == {
        ("text", "default", "standard"),
        ("docx", "default", "standard"),
        ("docx", "default", "large-print"),
    }
    assert project.run("verify", env=ENV).returncode == 0
