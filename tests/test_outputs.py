"""Every output carries every applying disclaimer; per-format content lands only where it belongs."""

from __future__ import annotations

import json
import re

import pytest
from conftest import REPO, Project

from publishkit.audit.core import normalize
from publishkit.audit.readers import READERS
from publishkit.model.registry import load_registry

REGISTRY = load_registry(REPO / "source" / "disclaimers.yaml")
FULL = {d.id: d.text.replace("**", "") for d in REGISTRY.entries}
SUFFIX = {"text": ".txt", "email": ".email.html"}
KIND = {"text": "whole", "email": "html"}


def visible_text(proj: Project, slug: str, fmt: str) -> str:
    data = proj.out(slug, SUFFIX[fmt]).read_bytes()
    return normalize(READERS[KIND[fmt]].read(data).text)


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
@pytest.mark.parametrize(
    ("slug", "expected"),
    [
        ("ketamine-neurobiology", {"not-medical-advice", "crisis-line", "controlled-substance"}),
        ("managing-medications", {"not-medical-advice", "crisis-line"}),
        ("sleep-basics", {"not-medical-advice"}),
    ],
)
def test_applying_disclaimers_are_in_full_in_every_output(
    seed_build: Project, slug: str, expected: set[str], fmt: str
) -> None:
    text = visible_text(seed_build, slug, fmt)
    for id_, full in FULL.items():
        assert (normalize(full) in text) == (id_ in expected), (slug, fmt, id_)
    manifest = json.loads((seed_build.build / "manifest.json").read_text())
    entry = next(e for e in manifest["outputs"] if e["slug"] == slug and e["format"] == fmt)
    assert set(entry["disclaimers"]) == expected


def test_crisis_line_follows_the_text(project: Project) -> None:
    project.article("mentions", "Some people have suicidal thoughts when they start a new medicine.")
    project.article("silent", "Drink water and rest.")
    assert project.run("text").returncode == 0
    assert "988" in project.out("mentions", ".txt").read_text()
    assert "988" not in project.out("silent", ".txt").read_text()


MARKERS = {
    "PRINTONLY": {"pdf"},
    "EMAILONLY": {"email"},
    "TEXTONLY": {"text"},
    "DOCXONLY": {"docx"},
    "PAPERONLY": {"pdf", "docx"},
    "NOTINPDF": {"text", "email", "docx"},
}


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_content_visible_blocks_only_in_their_formats(seed_build: Project, fmt: str) -> None:
    text = seed_build.out("sleep-basics", SUFFIX[fmt]).read_text(encoding="utf-8")
    for marker, formats in MARKERS.items():
        assert (marker in text) == (fmt in formats), (marker, fmt)


def test_seed_comment_call_is_newsletter_only(seed_build: Project) -> None:
    call = normalize("Let me know your experience in a comment below!")
    assert call in visible_text(seed_build, "ketamine-neurobiology", "email")
    assert call not in visible_text(seed_build, "ketamine-neurobiology", "text")


def test_text_output_shape(seed_build: Project) -> None:
    data = seed_build.out("managing-medications", ".txt").read_bytes()
    text = data.decode("utf-8")
    assert b"\r" not in data
    # 72 columns in every article (tables included), except a single word too long to break.
    for path in seed_build.build.rglob("*.txt"):
        lines = path.read_text(encoding="utf-8").splitlines()
        too_long = [line for line in lines if len(line) > 72 and " " in line.strip()]
        assert not too_long, path.name
    # Footnotes and links never share a number: the footnote is [1], the first link [2].
    assert "drinks can\nchange how some medicines work.[1]" in text
    assert "[1] Grapefruit juice is the best-known example." in text
    assert text.startswith("Managing Your Medications Safely\n================================\n")
    assert "How to keep track of your medicines" in text
    # Links are listed as numbered references.
    assert re.search(r"MedlinePlus drug pages\s\[2\]", text)
    assert "[2] https://medlineplus.gov/druginformation.html" in text
    assert "Last reviewed October 15, 2026 by Ana Muñoz, PharmD" in text
    assert "Ref managing-medications · source " in text


def test_email_html_shape(seed_build: Project) -> None:
    html = seed_build.out("ketamine-neurobiology", ".email.html").read_text(encoding="utf-8")
    assert '<html lang="en-US"' in html
    assert 'role="presentation"' in html
    assert "max-width: 600px" in html
    # The preheader is the first text in the body, and it is the summary.
    body = html.split("<body", 1)[1]
    first_text = re.sub(r"<[^>]+>", "\n", body.split(">", 1)[1]).strip().splitlines()[0]
    assert first_text.startswith("Ketamine, an anesthetic, is being studied")
    # CSS is inlined: no class-only styling left for the clinic's colours.
    assert 'style="' in html and "#1F5F7A".lower() in html.lower()
    assert "Riverside Mind &amp; Body Clinic" in html
    assert "1200 Harbor Street" in html


def test_article_text_is_never_a_template(project: Project) -> None:
    project.article("braces", "Dose is {{ 7*7 }} and {% raw %} stays.", title='"{{ 7*7 }} facts"')
    assert project.run("all").returncode == 0
    for suffix in SUFFIX.values():
        text = project.out("braces", suffix).read_text(encoding="utf-8")
        assert "{{ 7*7 }}" in text
        assert "49" not in text
