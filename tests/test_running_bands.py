"""Running header and footer: no article can pose as them, and they hold exactly the template's text."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
from conftest import Project

from publishkit.audit.core import normalize
from publishkit.audit.readers import PDF_FOOTER_BAND, PDF_HEADER_BAND
from publishkit.kit import doctree
from publishkit.kit.pandoc import read_many

SHORT = "General information only, not medical advice. Talk to your clinician."
CLINIC = "Riverside Mind & Body Clinic"
FILLER = "\n\n".join(["A calm paragraph about rest and sleep. " * 12] * 16)  # four pages
# An article that copies the template's footer: the short disclaimer, its own text, the clinic's
# name and a page number, in the classes the template used for them (old names and pk- names).
SPOOF = f"""
# Heading {{.title}}

Rest and drink water.

::: {{.page-footer}}
{SHORT}

call 555-0199 for a free miracle cure [{CLINIC}]{{.footer-clinic}}[]{{.page-number}}
:::

::: {{.pk-page-footer}}
{SHORT}

call 555-0199 for a free miracle cure [{CLINIC}]{{.pk-footer-clinic}}[]{{.pk-page-number}}
:::

# Fake title {{.pk-title}}

{FILLER}
"""


def bands(path: object) -> list[tuple[str, str]]:
    """(footer, header) text of every page, read by PDFium in the audit's bands."""
    doc = pdfium.PdfDocument(path)
    out = []
    for page in doc:
        textpage = page.get_textpage()
        _w, h = page.get_size()
        footer = textpage.get_text_bounded(bottom=0, top=PDF_FOOTER_BAND)
        out.append((footer, textpage.get_text_bounded(bottom=h - PDF_HEADER_BAND, top=h)))
    doc.close()
    return out


def test_article_in_the_templates_classes_is_not_the_running_footer_or_header(project: Project) -> None:
    project.article("spoof", SPOOF, title="Rest well")
    result = project.run("pdf", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    pages = bands(project.out("spoof", ".pdf"))
    assert len(pages) >= 3
    for number, (footer, header) in enumerate(pages, 1):
        assert normalize(footer) == normalize(f"{SHORT} {CLINIC} Page {number} of {len(pages)}"), number
        assert normalize(header) == ("" if number == 1 else "rest well"), number


def test_article_posing_as_the_footer_fails_the_audit(project: Project) -> None:
    """Were an article's class ever to select the running footer again (here: a template that
    styles an unprefixed class), the audit still refuses the handout: its text is not the template's."""
    project.article("spoof", SPOOF)
    css = project.root / "templates" / "handout.css"
    old_rules = (
        ".page-footer { position: running(pagefooter); }\n"
        '.page-number::after { content: "Page " counter(page) " of " counter(pages); }\n'
    )
    css.write_text(css.read_text(encoding="utf-8") + old_rules, encoding="utf-8")
    result = project.run("pdf", "--jobs", "1")
    assert result.returncode == 1
    assert (
        "Error: audit: spoof.pdf: unexpected text in the footer on page 2: "
        "'call 555-0199 for a free miracle cure'" in result.stderr
    )
    assert not project.out("spoof", ".pdf").exists()


def test_template_adding_to_the_footer_is_stopped_and_the_old_pdf_kept(project: Project) -> None:
    project.article("long", FILLER)
    assert project.run("pdf", "--jobs", "1").returncode == 0
    good = project.out("long", ".pdf").read_bytes()
    tpl = project.root / "templates" / "handout.html.j2"
    text = tpl.read_text(encoding="utf-8")
    tpl.write_text(text.replace("</footer>", "<p>Sponsored</p>\n</footer>", 1), encoding="utf-8")
    result = project.run("pdf", "--jobs", "1")
    assert result.returncode == 1
    assert "Error: audit: long.pdf: unexpected text in the footer on page 1: 'Sponsored'" in result.stderr
    assert project.out("long", ".pdf").read_bytes() == good


def test_template_adding_to_the_header_is_stopped(project: Project) -> None:
    project.article("long", FILLER, title="Rest well")
    css = project.root / "templates" / "handout.css"
    text = css.read_text(encoding="utf-8").replace(
        "content: string(doctitle);", 'content: string(doctitle) " - call now";', 1
    )
    css.write_text(text, encoding="utf-8")
    result = project.run("pdf", "--jobs", "1")
    assert result.returncode == 1
    assert "Error: audit: long.pdf: unexpected text in the header on page 2: '- call now'" in result.stderr


def test_body_text_in_the_footer_band_is_named_with_its_page(project: Project) -> None:
    """A smaller bottom margin lets the body run into the band the audit reads."""
    project.article("long", FILLER)
    css = project.root / "templates" / "handout.css"
    css.write_text(css.read_text(encoding="utf-8") + "@page { margin-bottom: 0.5in; }\n", encoding="utf-8")
    result = project.run("pdf", "--jobs", "1")
    assert result.returncode == 1
    assert re.search(
        r"Error: audit: long\.pdf: unexpected text in the footer on page 1: '[^']*calm paragraph about rest",
        result.stderr,
    ), result.stderr


def test_reserved_classes_and_ids_are_removed_from_every_element() -> None:
    md = (
        '::: {.PK-page-footer #pk-x .keep class="Pk-a"}\nhi [a]{.pk-b .c} `x`{.pK-c}\n:::\n\n'
        "# Title {.pk-title}\n\n# pk-auto\n\n| a |\n|---|\n| b |\n\n```{.pk-code}\ncode\n```\n"
    )
    parsed = read_many({"a": md}, 60)
    ast, _removed = doctree.load_stripped(parsed.values["a"], 256)
    names = [n for node in doctree.walk(ast) for n in _attr_names(node)]
    assert "keep" in names and "c" in names
    assert not [n for n in names if n.lower().startswith("pk-")], names


def _attr_names(node: dict[str, object]) -> list[str]:
    content = node.get("c")
    attr = content[1] if node["t"] == "Header" else content[0] if isinstance(content, list) else None
    if not (isinstance(attr, list) and len(attr) == 3 and isinstance(attr[0], str)):
        return []
    return [attr[0], *attr[1]]
