"""Translations: source/<slug>.<L>.md as the language variant of <slug>; numbers kept; staleness."""

from __future__ import annotations

import email
import io
import re
from email import policy
from html import unescape
from pathlib import Path

import pytest
from conftest import EPOCH, Project, make_project

from publishkit.checks.translation import check_translation
from publishkit.errors import PublishError, RegistryError
from publishkit.model.article import load_article
from publishkit.model.registry import load_registry
from publishkit.model.settings import Limits, load_settings
from publishkit.pipeline.remember import SourceCache

ENGLISH = """
Take this medicine as your clinician says. If you have thoughts of suicide, get help now.

## How much

Take 20 mg at night. Children over 12 may take 12.5 mg.

## When to call

Call us if you feel dizzy for more than 2 days.
"""
SPANISH = """
---
title: "Prueba: su dosis"
summary: "Cuánto tomar y cuándo llamar."
reviewed: 2026-11-01
language: es
email:
  subject: "Su dosis de esta semana"
---

Tome este medicamento como le indique su profesional de salud. Si piensa en el suicidio, busque ayuda ahora.

## Cuánto

Tome 20 mg por la noche. Los niños mayores de 12 años pueden tomar 12,5 mg.

## Cuándo llamar

Llámenos si se siente mareado durante más de 2 días.
"""
CRISIS_ES = "Llame o envíe un mensaje de texto al 988"
SHORT_ES = "¿En crisis? Llame o envíe un mensaje de texto al 988 (988 Lifeline) o llame al 911."


# A registry whose one disclaimer has no Spanish wording.
ENGLISH_ONLY = """
        - id: not-medical-advice
          applies: always
          short: "General information only."
          text: "General information only, not medical advice."
        """


def _pair(proj: Project, spanish: str = SPANISH) -> Path:
    proj.article("dose", ENGLISH)
    return proj.write("source/dose.es.md", spanish)


def _check(path: Path) -> list[tuple[str, int | None, str]]:
    state = check_translation(load_article(path, Limits()), Limits())
    return [(p.level, p.line, p.message) for p in state.problems]


def test_a_decimal_comma_is_the_same_number_and_every_number_is_kept(project: Project) -> None:
    path = _pair(project)
    assert [p for p in _check(path) if p[0] == "error"] == []


def test_a_changed_dose_is_an_error_naming_both_lines(project: Project) -> None:
    path = _pair(project, SPANISH.replace("Tome 20 mg", "Tome 2 mg"))
    errors = [p for p in _check(path) if p[0] == "error"]
    assert errors == [
        ("error", 14, 'number 2 here, where source/dose.md:11 has 20 (section "How much")'),
    ]


def test_a_number_written_as_a_word_in_the_translation_is_missing(project: Project) -> None:
    path = _pair(project, SPANISH.replace("más de 2 días", "más de dos días"))
    errors = [p for p in _check(path) if p[0] == "error"]
    assert errors == [
        (
            "error",
            16,
            'number 2 of source/dose.md:15 is missing from this section ("When to call"); '
            "write every number in digits",
        )
    ]


def test_a_translation_without_its_original_or_with_another_language_is_refused(project: Project) -> None:
    orphan = project.write("source/gone.es.md", SPANISH)
    assert _check(orphan)[0][2] == (
        "a translation of gone.md, which does not exist in source/: name it <slug>.es.md"
    )
    wrong = project.write("source/dose.fr.md", SPANISH)
    with pytest.raises(PublishError) as exc:
        load_article(wrong, Limits())
    assert str(exc.value) == (
        f"source: {wrong}:5: 'language' is es but the file name dose.fr.md says fr: they must be the same"
    )
    bad = project.write("source/dose.ES_x.md", SPANISH)
    with pytest.raises(PublishError, match="'ES_x' is not a language tag"):
        load_article(bad, Limits())


def test_a_disclaimer_without_wording_in_the_language_fails_and_never_falls_back(project: Project) -> None:
    registry = project.write("source/disclaimers.yaml", ENGLISH_ONLY)
    path = _pair(project)
    article = load_article(path, Limits())
    with pytest.raises(RegistryError) as exc:
        load_registry(registry).resolve(article)
    assert str(exc.value) == (
        f"disclaimers: {registry}:4: disclaimer 'not-medical-advice' applies but has no text in es: "
        "add 'es: ...' under its text (an output never falls back to another language)"
    )


def test_the_remembered_resolve_words_each_disclaimer_as_the_registry_does(project: Project) -> None:
    """The gallery resolves every article through the build's SourceCache, which works out each
    disclaimer's wording once per language: the same answers as registry.resolve, and a missing
    wording fails every time it is asked for, never only the first."""
    path = _pair(project)
    sources = SourceCache(load_settings(project.root))
    article = sources.load(path)
    registry = load_registry(project.source / "disclaimers.yaml")
    assert sources.resolve(registry, article) == registry.resolve(article)
    assert sources.resolve(registry, article) == registry.resolve(article)  # from what it kept
    english_only = project.write("source/disclaimers.yaml", ENGLISH_ONLY)
    for _ in range(2):
        with pytest.raises(RegistryError, match="has no text in es"):
            sources.resolve(load_registry(english_only), article)


def test_spanish_match_is_tried_on_the_translations_own_text(project: Project) -> None:
    path = _pair(project, SPANISH.replace("Si piensa en el suicidio", "Si quiere hacerse daño"))
    article = load_article(path, Limits())
    found = load_registry(project.source / "disclaimers.yaml").resolve(article)
    crisis = next(d for d in found if d.id == "crisis-line")
    assert (crisis.language, crisis.short) == ("es", SHORT_ES)


def test_check_reports_exactly_the_changed_section_and_translated_clears_it(project: Project) -> None:
    _pair(project)
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    result = project.run("translated", "dose.es", env=env)
    assert result.returncode == 0, result.stderr
    record = (project.source / "dose.es.translated.yaml").read_text(encoding="utf-8")
    assert "translated_on: '2026-11-15'" in record and "    Take 20 mg at night." in record
    assert project.run("check", "--strict", "--quiet", env=env).returncode == 0
    english = project.source / "dose.md"
    english.write_text(english.read_text().replace("feel dizzy", "feel faint"), encoding="utf-8")
    result = project.run("check", "--strict", "--quiet", "dose", env=env)
    assert result.returncode == 1
    stale = [line for line in result.stderr.splitlines() if "stale translation" in line]
    assert stale == [
        'Warning: check: source/dose.es.md:16: stale translation: section "When to call" '
        "(source/dose.md:13) changed since the translation of 2026-11-15: "
        'was "Call us if you feel dizzy for more than 2 days." now "Call us if you feel faint for more than 2 days."'
    ]
    refused = project.run("text", "--strict", "--quiet", env=env)
    assert (
        refused.returncode == 1
        and "Error: translation: source/dose.es.md:16: stale translation" in refused.stderr
    )
    assert project.run("translated", "dose.es", env=env).returncode == 0
    assert project.run("check", "--strict", "--quiet", env=env).returncode == 0


def _pdf_pages(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path.read_bytes())
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def _docx_parts(path: Path) -> tuple[str, list[str]]:
    import docx

    document = docx.Document(io.BytesIO(path.read_bytes()))
    body = "\n".join(p.text for p in document.paragraphs)
    footers = ["\n".join(p.text for p in s.footer.paragraphs) for s in document.sections]
    return body, footers


@pytest.fixture(scope="module")
def spanish_build(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A Spanish translation (which mentions suicide) built in every format, stale on purpose."""
    proj = make_project(tmp_path_factory.mktemp("i14") / "proj")
    _pair(proj)
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert proj.run("translated", "dose.es", env=env).returncode == 0
    english = proj.source / "dose.md"
    english.write_text(english.read_text().replace("feel dizzy", "feel faint"), encoding="utf-8")
    result = proj.run("all", "--jobs", "1", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    return proj


MARK = "Traducido de la versión en inglés del 15 de noviembre de 2026"


def test_the_translation_builds_every_format_beside_the_original(spanish_build: Project) -> None:
    names = sorted(p.name for p in (spanish_build.build / "dose").iterdir())
    assert [n for n in names if ".es." in n] == [
        "dose.es.docx",
        "dose.es.email.html",
        "dose.es.eml",
        "dose.es.pdf",
        "dose.es.txt",
    ]
    import json

    manifest = json.loads((spanish_build.build / "manifest.json").read_text(encoding="utf-8"))
    langs = {(e["slug"], e["language"]) for e in manifest["outputs"]}
    assert langs == {("dose", "en"), ("dose.es", "es")}


def test_every_spanish_pdf_page_carries_the_spanish_crisis_line_and_the_stale_mark(
    spanish_build: Project,
) -> None:
    pages = _pdf_pages(spanish_build.out("dose", ".es.pdf"))
    for text in pages:
        flat = " ".join(text.split())
        assert "¿En crisis? Llame o envíe un mensaje de texto al 988" in flat
        assert MARK in flat
        assert "In crisis?" not in flat
    assert CRISIS_ES in " ".join(" ".join(pages).split())
    assert "Traducido" not in " ".join(_pdf_pages(spanish_build.out("dose", ".pdf")))


def test_the_spanish_docx_text_and_email_carry_the_spanish_wording(spanish_build: Project) -> None:
    body, footers = _docx_parts(spanish_build.out("dose", ".es.docx"))
    assert CRISIS_ES in body and MARK in body
    assert all(SHORT_ES in f and MARK in f for f in footers)
    text = spanish_build.out("dose", ".es.txt").read_text(encoding="utf-8")
    assert CRISIS_ES in " ".join(text.split()) and MARK in " ".join(text.split())
    msg = email.message_from_bytes(spanish_build.out("dose", ".es.eml").read_bytes(), policy=policy.default)
    assert msg["Subject"] == "Su dosis de esta semana"
    assert msg["Content-Language"] == "es"
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert '<html lang="es"' in html
    shown = " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())
    assert CRISIS_ES in shown and MARK in shown


def test_verify_checks_a_stale_translation_with_the_mark_the_build_added(spanish_build: Project) -> None:
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    result = spanish_build.run("verify", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Verified 10 output(s) against build/manifest.json")
    # Once the translation is up to date, its outputs are the ones out of date: they carry the mark.
    record = spanish_build.source / "dose.es.translated.yaml"
    kept = record.read_bytes()
    try:
        assert spanish_build.run("translated", "dose.es", env=env).returncode == 0
        result = spanish_build.run("verify", "dose.es", env=env)
    finally:
        record.write_bytes(kept)
    assert result.returncode == 1
    assert (
        "Error: verify: build/dose/dose.es.pdf: out of date: disclaimers now ['not-medical-advice', "
        "'crisis-line'], built with ['not-medical-advice', 'crisis-line', 'stale-translation']"
    ) in result.stderr.splitlines()
    # A dose changed in the original refuses the translation's outputs, as the build would.
    english = spanish_build.source / "dose.md"
    text = english.read_text(encoding="utf-8")
    try:
        english.write_text(text.replace("Take 20 mg", "Take 25 mg"), encoding="utf-8")
        result = spanish_build.run("verify", "dose.es", env=env)
    finally:
        english.write_text(text, encoding="utf-8")
    assert (
        "Error: verify: build/dose/dose.es.txt: refused now as a translation: number 20 here, where "
        'source/dose.md:11 has 25 (section "How much")'
    ) in result.stderr.splitlines()
