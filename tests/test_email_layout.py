"""Email layout in Chromium at 375 and 600 px over the layout test articles: no word broken over two
lines, no sideways scrolling; wide tables stacked with labels on phones, the plain table without
media queries; and proof that the probe fails when a CSS change breaks words."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import EPOCH, REPO, Project, make_project
from emailprobe import TABLES_JS, email_faults, open_email

from publishkit.formats._email_tables import label_cells

SLUGS = [
    "blood-pressure",
    "ketamine-neurobiology",
    "living-with-anxiety",
    "managing-medications",
    "sleep-basics",
]
BP_LABELS = [
    "Category",
    "Top number (systolic)",
    "Bottom number (diastolic)",
    "How often to check",
    "What to do",
]


def _emails(dest: Path, css: str = "") -> Project:
    proj = make_project(dest, "layout", seed=True)
    for src in (REPO / "tests" / "roots" / "basic" / "source").glob("*.md"):
        shutil.copy(src, proj.source / src.name)
    if css:  # a test-only addition to the shipped email.css, to break a rule on purpose
        sheet = proj.root / "templates" / "email.css"
        sheet.write_text(sheet.read_text(encoding="utf-8") + css, encoding="utf-8")
    result = proj.run("email", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr + result.stdout
    return proj


@pytest.fixture(scope="module")
def emails(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return _emails(tmp_path_factory.mktemp("email-layout") / "proj")


@pytest.mark.parametrize("width", [375, 600])
@pytest.mark.parametrize("slug", SLUGS)
def test_email_probes(browser: Any, emails: Project, slug: str, width: int) -> None:
    page = open_email(browser, emails.out(slug, ".email.html"), width)
    try:
        assert email_faults(page, width) == []
    finally:
        page.close()


def test_a_wide_table_is_stacked_with_labels_on_a_phone(browser: Any, emails: Project) -> None:
    page = open_email(browser, emails.out("blood-pressure", ".email.html"), 375)
    ((bp,),) = [page.evaluate(TABLES_JS)]
    page.close()
    assert bp["display"] == "block"
    assert bp["labels"] == BP_LABELS * 5  # five rows, every cell under its header
    # A three-column table that fits a phone stays a table.
    page = open_email(browser, emails.out("living-with-anxiety", ".email.html"), 375)
    assert [t["display"] for t in page.evaluate(TABLES_JS)] == ["table"]
    page.close()


@pytest.mark.parametrize(("width", "media_queries"), [(600, True), (375, False)])
def test_the_plain_table_elsewhere(browser: Any, emails: Project, width: int, media_queries: bool) -> None:
    """On a desktop, and in clients without media queries (Outlook for Windows), no labels show."""
    page = open_email(browser, emails.out("blood-pressure", ".email.html"), width, media_queries)
    assert page.evaluate(TABLES_JS) == [{"display": "table", "labels": []}]
    if media_queries:
        assert email_faults(page, width) == []
    page.close()


def test_labels_come_from_the_header_row() -> None:
    html = (
        '<table><thead><tr><th>Dose <em>(mg)</em></th><th colspan="2">When &amp; how</th></tr></thead>'
        "<tbody><tr><td>5</td><td>am</td><td>pm</td></tr></tbody></table>"
    )
    out = label_cells(html)
    assert out.count('<span class="pk-label"') == 3
    assert ">Dose (mg)</span>5</td>" in out
    assert out.count(">When &amp; how</span>") == 2
    assert "pk-stack" not in out  # short words: fits a phone
    wide = html.replace("5</td>", "Extraordinarily-long-words everywhere</td>")
    wide = wide.replace("am</td>", "Unbreakablewordhere</td>").replace("pm</td>", "Morningtimeslot</td>")
    assert '<table class="pk-stack">' in label_cells(wide)


BROKEN_WORDS = ".pk-article td { word-break: break-all; }\n"


def test_the_probe_fails_when_a_css_change_breaks_words(browser: Any, tmp_path: Path) -> None:
    broken = _emails(tmp_path / "proj", BROKEN_WORDS)
    page = open_email(browser, broken.out("blood-pressure", ".email.html"), 375)
    faults = email_faults(page, 375)
    page.close()
    assert [f for f in faults if f.startswith("split word")], faults


def test_labels_stay_out_of_sight_where_display_none_is_dropped(browser: Any, emails: Project) -> None:
    """Gmail's mobile webmail has no media queries and drops display:none (caniemail)."""
    page = open_email(browser, emails.out("blood-pressure", ".email.html"), 375, media_queries=False)
    page.evaluate("document.querySelectorAll('.pk-label').forEach(l => l.style.removeProperty('display'))")
    sizes = page.eval_on_selector_all(".pk-label", "els => els.map(e => e.getBoundingClientRect().width)")
    page.close()
    assert len(sizes) == 25 and max(sizes) == 0
