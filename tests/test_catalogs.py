"""The tool's own words from the gettext catalogs in templates/locale/: labels, dates, page labels."""

from __future__ import annotations

import email
import io
import json
import re
import subprocess
import sys
from dataclasses import replace
from email import policy
from functools import partial
from html import unescape
from pathlib import Path

import pytest
from conftest import EPOCH, REPO, Project, make_project, run_probe
from test_scripts import ARABIC, CHINESE, ENGLISH, SHORT, _flat
from test_translations import SPANISH, _docx_parts

from publishkit.kit.i18n import css_string, locale_names, page_label_css, translator

LOCALE = REPO / "templates" / "locale"
POT = LOCALE / "publishkit.pot"
SHIPPED = ("es", "zh_Hant", "ar")
SHORT_ES = "Información general solamente, no es consejo médico. Hable con su profesional de salud."
REGISTRY = f"""
- id: not-medical-advice
  applies: always
  short:
    en: "General information only, not medical advice. Talk to your clinician."
    es: "{SHORT_ES}"
    ar: "{SHORT["ar"]}"
    zh-Hant: "{SHORT["zh-Hant"]}"
    vi: "Chỉ là thông tin chung, không phải lời khuyên y tế."
  text:
    en: "This handout gives general information only. It is not medical advice."
    es: "Este folleto solo da información general. No es consejo médico."
    ar: "تقدم هذه النشرة معلومات عامة فقط. وهي ليست نصيحة طبية."
    zh-Hant: "本資料僅提供一般資訊，並非醫療建議。"
    vi: "Tài liệu này chỉ cung cấp thông tin chung."
"""
# The Spanish translation is past its review date (the build clock is 2026-11-15): it carries the mark.
OVERDUE_ES = SPANISH.replace("reviewed: 2026-11-01", "reviewed: 2024-06-03")
# What each language's outputs must say: its review line, its heading, its page label.
WORDS = {
    "es": ("Última revisión: 3 de junio de 2024", "Información importante", "Página {page} de {pages}"),
    "zh-Hant": ("最後審閱日期：2026年11月1日", "重要資訊", "第 {page} 頁，共 {pages} 頁"),
    "ar": ("آخر مراجعة: 1 نوفمبر 2026", "معلومات مهمة", "صفحة {page} من {pages}"),
}


def _project(dest: Path) -> Project:
    proj = make_project(dest)
    proj.write("source/disclaimers.yaml", REGISTRY)
    proj.article("dose", ENGLISH)
    proj.write("source/dose.es.md", OVERDUE_ES)
    proj.write("source/dose.ar.md", ARABIC)
    proj.write("source/dose.zh-Hant.md", CHINESE)
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    for name in ("dose.es", "dose.ar", "dose.zh-Hant"):
        assert proj.run("translated", name, env=env).returncode == 0
    return proj


@pytest.fixture(scope="module")
def catalogs_build(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = _project(tmp_path_factory.mktemp("catalogs") / "proj")
    result = proj.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Warning: catalog" not in result.stderr  # every language here has its catalog
    return proj


@pytest.mark.parametrize("lang", ["es", "zh-Hant", "ar"])
def test_every_pdf_page_footer_reads_the_localized_page_label(catalogs_build: Project, lang: str) -> None:
    from publishkit.audit.readers import extract_pdf

    label = WORDS[lang][2]
    footers = extract_pdf(catalogs_build.out("dose", f".{lang}.pdf").read_bytes()).footers or ()
    assert footers
    for number, footer in enumerate(footers, 1):
        flat = _flat(footer)
        shown = label.format(page=number, pages=len(footers))
        # PDFium returns a right-to-left label's words and numbers as they stand, left to right.
        reversed_ar = "".join(reversed(shown.split()))
        assert _flat(shown) in flat or (lang == "ar" and _flat(reversed_ar) in flat), footer
        assert "page" not in flat.casefold()


@pytest.fixture(scope="module")
def lo_footers(catalogs_build: Project, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each translation's DOCX laid out by LibreOffice (one run for the three), read back by PDFium:
    the text of every page's bottom margin, where Word and LibreOffice draw the footer."""
    import docx
    import pypdfium2 as pdfium

    out = tmp_path_factory.mktemp("lo-footers")
    files = [str(catalogs_build.out("dose", f".{lang}.docx")) for lang in WORDS]
    command = ["soffice", f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless"]
    command += ["--convert-to", "pdf", "--outdir", str(out), *files]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    footers: dict[str, list[str]] = {}
    for lang, path in zip(WORDS, files, strict=True):
        band = docx.Document(path).sections[0].bottom_margin.pt  # type: ignore[union-attr]
        pdf = pdfium.PdfDocument(out / f"dose.{lang}.pdf")
        footers[lang] = [page.get_textpage().get_text_bounded(bottom=0, top=band) for page in pdf]
        pdf.close()
    return footers


@pytest.mark.parametrize("lang", ["es", "zh-Hant", "ar"])
def test_libreoffice_shows_the_short_disclaimer_and_localized_page_label_on_every_page(
    lo_footers: dict[str, list[str]], lang: str
) -> None:
    footers = lo_footers[lang]
    assert len(footers) >= 2  # the counters are only proved where there is a second page
    short = SHORT_ES if lang == "es" else SHORT[lang]
    for number, footer in enumerate(footers, 1):
        flat = _flat(footer)
        assert _flat(short) in flat, (number, footer)
        assert _flat(WORDS[lang][2].format(page=number, pages=len(footers))) in flat, (number, footer)
        assert "page" not in flat.casefold()


@pytest.mark.parametrize("lang", ["es", "zh-Hant", "ar"])
def test_the_docx_footer_is_the_localized_label_around_page_fields(
    catalogs_build: Project, lang: str
) -> None:
    import docx

    path = catalogs_build.out("dose", f".{lang}.docx")
    document = docx.Document(io.BytesIO(path.read_bytes()))
    body, _footers = _docx_parts(path)
    review, heading, label = WORDS[lang]
    for section in document.sections:
        last = section.footer.paragraphs[-1]
        # The fields show "1" until Word or LibreOffice lays the pages out.
        assert last.text == label.format(page=1, pages=1)
        codes = [t.text.strip() for t in last._p.iter() if t.tag.endswith("}instrText")]
        assert codes == ["PAGE \\* MERGEFORMAT", "NUMPAGES \\* MERGEFORMAT"]
    assert heading in body and review in body
    assert "Important information" not in body and "Last reviewed" not in body


def test_the_text_and_email_carry_the_localized_labels_and_dates(catalogs_build: Project) -> None:
    text = catalogs_build.out("dose", ".es.txt").read_text(encoding="utf-8")
    assert "\nInformación importante\n----------------------\n" in text
    assert "Última revisión: 3 de junio de 2024" in text
    flat = " ".join(text.split())
    assert "*** Revisión vencida: esta información debía revisarse de nuevo el 3 de junio de 2025." in flat
    msg = email.message_from_bytes(catalogs_build.out("dose", ".es.eml").read_bytes(), policy=policy.default)
    plain = " ".join(msg.get_body(("plain",)).get_content().split())  # type: ignore[union-attr]
    assert "Recibe este correo electrónico de Riverside Mind & Body Clinic. Para cancelar la" in plain
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert 'aria-label="Información importante"' in html
    shown = " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())
    assert (
        "Recibe este correo electrónico de Riverside Mind & Body Clinic. Puede cancelar la suscripción"
        in shown
    )
    assert "Revisión vencida: esta información" in shown and "Última revisión: 3 de junio de 2024" in shown
    assert "Important information" not in shown and "Unsubscribe" not in shown
    page = catalogs_build.out("dose", ".zh-Hant.email.html").read_text(encoding="utf-8")
    assert "此電子郵件由 Riverside Mind &amp; Body Clinic 寄送。您可隨時<a href=" in page
    assert "最後審閱日期：2026年11月1日" in page


def test_the_english_outputs_keep_their_english_words(catalogs_build: Project) -> None:
    text = catalogs_build.out("dose", ".txt").read_text(encoding="utf-8")
    assert "\nImportant information\n---------------------\n" in text
    assert "Last reviewed November 1, 2026" in text


def test_verify_reads_the_localized_outputs_back(catalogs_build: Project) -> None:
    result = catalogs_build.run("verify")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_pot_lists_every_message_of_the_code_and_templates(tmp_path: Path) -> None:
    """A new English label without a catalog entry fails here: run pybabel extract (README)."""
    out = tmp_path / "fresh.pot"
    cmd = ["-q", "extract", "-F", str(LOCALE / "babel.cfg"), "-o", str(out), "--no-location", "."]
    code = "import sys; from babel.messages.frontend import main; sys.argv[0] = 'pybabel'; main()"
    result = subprocess.run([sys.executable, "-c", code, *cmd], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert _ids(out) == _ids(POT)


def _ids(path: Path) -> set[str]:
    from babel.messages.pofile import read_po

    with path.open("rb") as fh:
        return {m.id for m in read_po(fh) if m.id and isinstance(m.id, str)}


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{\w+\}|<[^>]+>", text))


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_shipped_catalog_translates_every_message_with_its_placeholders(locale: str) -> None:
    from babel.messages.pofile import read_po

    with (LOCALE / locale / "LC_MESSAGES" / "publishkit.po").open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    messages = {m.id: m for m in catalog if m.id}
    assert set(messages) == _ids(POT)
    for msgid, m in messages.items():
        assert isinstance(m.string, str) and m.string and not m.fuzzy, msgid
        assert _placeholders(m.string) == _placeholders(str(msgid)), msgid


def test_a_language_without_a_catalog_warns_once_and_falls_back_to_english(project: Project) -> None:
    project.write("source/disclaimers.yaml", REGISTRY)
    project.article("dose", ENGLISH)
    project.write("source/dose.vi.md", SPANISH.replace("language: es", "language: vi"))
    project.write("source/other.vi.md", SPANISH.replace("language: es", "language: vi"))
    project.article("other", ENGLISH)
    result = project.run("text", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "catalog" in line]
    assert warnings == [
        "Warning: catalog: templates/locale/vi/LC_MESSAGES/publishkit.po: no catalog for language "
        "'vi': the tool's own words (page labels, dates, headings) are in English in its outputs. "
        "Add one with: pybabel init -i templates/locale/publishkit.pot -d templates/locale "
        "-D publishkit -l vi"
    ]
    text = project.out("dose", ".vi.txt").read_text(encoding="utf-8")
    assert "\nImportant information\n" in text and "Last reviewed November 1, 2026" in text
    assert "Tài liệu này chỉ cung cấp thông tin chung." in text  # the disclaimer keeps its own wording


def _keys(proj: Project) -> dict[tuple[str, str], str]:
    manifest = json.loads((proj.build / "manifest.json").read_text(encoding="utf-8"))
    return {(e["slug"], e["format"]): e["key"] for e in manifest["outputs"]}


def test_editing_a_catalog_changes_only_that_languages_cache_keys(project: Project) -> None:
    project.write("source/disclaimers.yaml", REGISTRY)
    project.article("dose", ENGLISH)
    project.write("source/dose.es.md", SPANISH)
    project.write("source/dose.zh-Hant.md", CHINESE)
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert project.run("text", env=env).returncode == 0
    before = _keys(project)
    po = project.root / "templates/locale/es/LC_MESSAGES/publishkit.po"
    po.write_text(po.read_text(encoding="utf-8").replace('"Enlaces"', '"Vínculos"'), encoding="utf-8")
    result = project.run("text", env=env)
    assert result.returncode == 0, result.stderr
    after = _keys(project)
    assert [k for k in before if before[k] != after[k]] == [("dose.es", "text")]
    assert "built     dose/dose.es.txt" in result.stdout
    assert "unchanged dose/dose.zh-Hant.txt" in result.stdout and "unchanged dose/dose.txt" in result.stdout


def test_a_tag_falls_back_from_its_region_and_finds_its_script() -> None:
    templates = REPO / "templates"
    assert locale_names("zh-hant-tw") == ["zh_Hant_TW", "zh_TW", "zh_Hant"]
    assert translator(templates, "es-MX").locale == "es"
    assert translator(templates, "zh-Hant").locale == "zh_Hant"
    assert translator(templates, "en-US").locale == ""
    assert translator(templates, "vi").gettext("Summary") == "Summary"
    assert translator(templates, "es").format_date(__import__("datetime").date(2026, 11, 1)) == (
        "1 de noviembre de 2026"
    )


ENGLISH_TAGS = ["en", "en-US", "en-GB", "en-us", "EN", "En-Us", "en_US", "en-QQ", "en-ZZ"]
NOT_PLAIN = ["en-Latn", "en-001", "en-Dsrt", "en-Shaw-GB", "eng", "es", "enx", "zh-Hant", "x-clinic", ""]


@pytest.mark.parametrize("tag", ENGLISH_TAGS + NOT_PLAIN)
def test_english_alone_or_in_a_region_is_known_without_babel(tag: str) -> None:
    """is_english answers plain English tags itself: the same answer as Babel's locale names."""
    from publishkit.kit import i18n

    assert i18n.is_english(tag) == ((locale_names(tag) or ["en"])[-1] == "en")
    assert bool(i18n._PLAIN_ENGLISH.fullmatch(tag)) == (tag in ENGLISH_TAGS)


BABEL_PROBE = """
import json, sys
from pathlib import Path
from publishkit.cli.main import main
rc = main(["text", "--quiet", "--jobs", "1"], root=Path(sys.argv[1]))
print(json.dumps({"rc": rc, "babel": sorted(m for m in sys.modules if m.split(".")[0] == "babel")}))
"""


def test_an_english_build_does_not_import_babel(project: Project) -> None:
    """Babel and its locale data (20 ms) are for other languages' words; a Spanish article needs them."""
    project.article("dose", ENGLISH)
    assert run_probe(BABEL_PROBE, project.root) == {"rc": 0, "babel": []}
    project.write("source/dose.es.md", OVERDUE_ES)
    found = run_probe(BABEL_PROBE, project.root)
    assert found["rc"] == 0 and "babel.core" in found["babel"]  # type: ignore[operator]


def test_the_page_label_css_cannot_leave_its_string() -> None:
    assert page_label_css(translator(REPO / "templates", "en")) == (
        '"Page " counter(page) " of " counter(pages)'
    )
    assert css_string('a"b</style>\\') == '"a\\22 b\\3c /style\\3e \\5c "'


def test_the_overdue_marks_colon_is_the_languages_own(project: Project) -> None:
    """Chinese puts a full-width colon after a run-in heading; the templates print none of their own."""
    project.write("source/disclaimers.yaml", REGISTRY)
    project.article("dose", ENGLISH)
    project.write("source/dose.zh-Hant.md", CHINESE.replace("reviewed: 2026-11-01", "reviewed: 2024-06-03"))
    project.write("source/dose.es.md", OVERDUE_ES)
    result = project.run("email", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    page = project.out("dose", ".zh-Hant.email.html").read_text(encoding="utf-8")
    assert "<strong>審閱已逾期：</strong> 此資訊" in page and "審閱已逾期:" not in page
    page = project.out("dose", ".es.email.html").read_text(encoding="utf-8")
    assert "<strong>Revisión vencida:</strong> esta información" in page


@pytest.mark.parametrize(
    ("tag", "names", "locale"),
    [
        ("zh-TW", ["zh_Hant_TW", "zh_TW", "zh_Hant"], "zh_Hant"),  # Babel's likely script: Hant
        ("zh-HK", ["zh_Hant_HK", "zh_HK", "zh_Hant"], "zh_Hant"),
        ("zh-CN", ["zh_Hans_CN", "zh_CN", "zh_Hans", "zh"], ""),  # Simplified: none shipped
        ("zh", ["zh_Hans", "zh"], ""),
        ("zh-Hans-HK", ["zh_Hans_HK", "zh_Hans", "zh"], ""),  # never the Traditional zh_HK
        ("sr", ["sr_Cyrl", "sr"], ""),
        ("es-419", ["es_419", "es"], "es"),
        ("x-clinic", ["x_clinic", "x"], ""),  # a tag Babel does not know keeps its own subtags
    ],
)
def test_a_tag_without_its_script_finds_the_likely_one(tag: str, names: list[str], locale: str) -> None:
    assert locale_names(tag) == names
    assert translator(REPO / "templates", tag).locale == locale


def test_chinese_without_a_script_warns_for_the_simplified_catalog(project: Project) -> None:
    project.write("source/disclaimers.yaml", REGISTRY.replace("zh-Hant:", "zh:"))
    project.article("dose", ENGLISH)
    project.write("source/dose.zh.md", CHINESE.replace("language: zh-Hant", "language: zh"))
    result = project.run("text", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    assert "Warning: catalog: templates/locale/zh_Hans/LC_MESSAGES/publishkit.po: no catalog for " in (
        result.stderr
    )
    assert "Last reviewed November 1, 2026" in project.out("dose", ".zh.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("lang", "short"),
    [
        ("en", "Translated from the English version of November 15, 2026"),
        ("es", "Traducido de la versión en inglés del 15 de noviembre de 2026"),
        ("zh-Hant", "譯自 2026年11月15日 的英文版本"),
    ],
)
def test_the_stale_mark_prints_the_languages_long_date(lang: str, short: str) -> None:
    from datetime import date

    from publishkit.checks.translation import TranslationState
    from publishkit.pipeline.translations import stale_mark

    mark = stale_mark(
        translator(REPO / "templates", lang), TranslationState(stale=True, since=date(2026, 11, 15))
    )
    assert mark.short == short and "2026-11-15" not in mark.text


# The reference line a reader sees, in each language; the machine reference stays English.
SHOWN_REF = {
    "es": r"Ref\. dose\.es · fuente [0-9a-f]{7,} · revisado 2024-06-03",
    "zh-Hant": r"參考 dose\.zh-Hant · 來源 [0-9a-f]{7,} · 審閱 2026-11-01",
    "ar": r"المرجع dose\.ar · المصدر [0-9a-f]{7,} · المراجعة \u200e?2026-11-01",  # LRM: not 01-11-2026
}


@pytest.mark.parametrize("lang", ["es", "zh-Hant", "ar"])
def test_the_visible_reference_line_is_localized_and_the_machine_one_stays_english(
    catalogs_build: Project, lang: str
) -> None:
    import docx

    from publishkit.audit.readers import extract_pdf

    shown = re.compile(SHOWN_REF[lang])
    machine = re.compile(rf"Ref dose\.{re.escape(lang)} · source [0-9a-f]{{7,}} · reviewed \d{{4}}-\d\d-\d\d")
    text = catalogs_build.out("dose", f".{lang}.txt").read_text(encoding="utf-8")
    assert shown.search(text) and ("\u200e2026-11-01" in text) == (lang == "ar")
    body, _footers = _docx_parts(catalogs_build.out("dose", f".{lang}.docx"))
    assert shown.search(body) and "Ref dose" not in body
    document = docx.Document(str(catalogs_build.out("dose", f".{lang}.docx")))
    assert machine.fullmatch(document.core_properties.comments)
    msg = email.message_from_bytes(
        catalogs_build.out("dose", f".{lang}.eml").read_bytes(), policy=policy.default
    )
    assert machine.fullmatch(str(msg["X-Publishkit-Ref"]))
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert machine.search(html.split('name="publishkit-ref" content="', 1)[1].split('"', 1)[0])
    assert shown.search(unescape(re.sub(r"<[^>]+>", "", html)))
    pages = extract_pdf(catalogs_build.out("dose", f".{lang}.pdf").read_bytes()).pages
    words = shown.pattern.replace("\\", "").split(" · ")[0].split()[0]  # "Ref.", "參考", "المرجع"
    assert words in "".join(pages) and "Ref dose" not in "".join(pages)


def test_the_english_reference_line_is_unchanged(catalogs_build: Project) -> None:
    text = catalogs_build.out("dose", ".txt").read_text(encoding="utf-8")
    assert re.search(r"\nRef dose · source [0-9a-f]{7,} · reviewed 2026-11-01\n", text)


# A reviewer in the review line: PDFium reads a right-to-left line back in an order of its own
# (the comma after the year before it, a Latin name's words reversed, or the whole line left to
# right as it stands), so the PDF's audit compares the line's words in those orders.
REVIEWED = {
    "dose.ar": ("د. دانا ويتفيلد", "آخر مراجعة: 1 نوفمبر 2026، بواسطة د. دانا ويتفيلد"),
    "rest.ar": ("Dana Whitfield, MD", "آخر مراجعة: 1 نوفمبر 2026، بواسطة Dana Whitfield, MD"),
    "calm.ar": (
        "Dana Whitfield, MD, Psychiatry",
        "آخر مراجعة: 1 نوفمبر 2026، بواسطة Dana Whitfield, MD, Psychiatry",
    ),
    # No Persian catalog: the English line, with a Persian name, in a right-to-left page.
    "dose.fa": ("دکتر دانا ویتفیلد", "Last reviewed November 1, 2026 by دکتر دانا ویتفیلد"),
}
FA_REGISTRY = REGISTRY.replace(
    f'    ar: "{SHORT["ar"]}"\n', f'    ar: "{SHORT["ar"]}"\n    fa: "فقط اطلاعات عمومی، نه توصیه پزشکی."\n'
).replace('    vi: "Tài liệu này', '    fa: "این اطلاعات فقط برای آموزش عمومی است."\n    vi: "Tài liệu này')


@pytest.fixture(scope="module")
def reviewed_build(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Arabic and Persian translations whose front matter names a reviewer, in every format."""
    proj = make_project(tmp_path_factory.mktemp("reviewed") / "proj")
    proj.write("source/disclaimers.yaml", FA_REGISTRY)
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    for name, (reviewer, _line) in REVIEWED.items():
        slug, lang = name.split(".")
        proj.article(slug, ENGLISH)
        body = ARABIC.replace("language: ar", f'reviewer: "{reviewer}"\nlanguage: {lang}')
        proj.write(f"source/{name}.md", body)
        if name != "dose.fa":  # left stale: its mark is an English sentence in a right-to-left page
            assert proj.run("translated", name, env=env).returncode == 0
    result = proj.run("all", *REVIEWED, "--jobs", "1", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    result = proj.run("verify")  # reads the outputs back again, with the same comparison
    assert result.returncode == 0, result.stderr + result.stdout
    return proj


def _shown(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


@pytest.mark.parametrize("name", list(REVIEWED))
def test_a_right_to_left_translation_with_a_reviewer_has_its_review_line_in_every_format(
    reviewed_build: Project, name: str
) -> None:
    from publishkit.audit.core import contains_line, normalize
    from publishkit.audit.readers import extract_pdf

    line = REVIEWED[name][1]
    slug, lang = name.split(".")
    out = partial(reviewed_build.out, slug)
    assert line in " ".join(out(f".{lang}.txt").read_text(encoding="utf-8").split())
    assert line in _docx_parts(out(f".{lang}.docx"))[0]
    assert line in _shown(out(f".{lang}.email.html").read_text(encoding="utf-8"))
    msg = email.message_from_bytes(out(f".{lang}.eml").read_bytes(), policy=policy.default)
    assert line in " ".join(msg.get_body(("plain",)).get_content().split())  # type: ignore[union-attr]
    assert line in _shown(msg.get_body(("html",)).get_content())  # type: ignore[union-attr]
    pdf = normalize(extract_pdf(out(f".{lang}.pdf").read_bytes()).text)
    assert normalize(line) not in pdf  # PDFium's order, not the line's: what this case is about
    assert contains_line(pdf, line)


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("dose.ar", "آخر مراجعة: 1 نوفمبر 2026، بواسطة د. دانا وايت"),  # another reviewer
        ("dose.ar", "آخر مراجعة: 2 نوفمبر 2026، بواسطة د. دانا ويتفيلد"),  # another day
        ("dose.ar", "آخر مراجعة: 1 نوفمبر 2025، بواسطة د. دانا ويتفيلد"),  # another year
        ("rest.ar", "آخر مراجعة: 1 نوفمبر 2026، بواسطة Dana Whitman, MD"),
        ("calm.ar", "آخر مراجعة: 1 نوفمبر 2026، بواسطة Dana Whitfield, MD, Surgery"),
        ("dose.fa", "Last reviewed November 1, 2026 by دکتر دانا ویتفیلدی"),
    ],
)
def test_a_wrong_review_line_still_fails_the_pdf_audit(
    reviewed_build: Project, name: str, wrong: str
) -> None:
    from publishkit.audit.core import audit
    from publishkit.audit.readers import extract_pdf
    from publishkit.errors import AuditError

    slug, lang = name.split(".")
    # Without its bands (this test gives no running header or footer to compare them with).
    extracted = replace(extract_pdf(reviewed_build.out(slug, f".{lang}.pdf").read_bytes()), footers=None)
    audit(f"{name}.pdf", extracted, [], REVIEWED[name][1], rtl=True)
    with pytest.raises(AuditError) as caught:
        audit(f"{name}.pdf", extracted, [], wrong, rtl=True)
    assert str(caught.value) == f"audit: {name}.pdf: review line '{wrong}' missing"
    with pytest.raises(AuditError):  # a left-to-right output's PDF keeps the exact comparison
        audit(f"{name}.pdf", extracted, [], REVIEWED[name][1])


def test_a_stale_persian_translation_prints_its_english_mark_and_the_pdf_audit_finds_it(
    reviewed_build: Project,
) -> None:
    from publishkit.audit.core import contains_line, normalize
    from publishkit.audit.readers import extract_pdf

    mark = "Translated from an earlier English version."
    pdf = normalize(extract_pdf(reviewed_build.out("dose", ".fa.pdf").read_bytes()).text)
    assert normalize(mark) not in pdf and contains_line(pdf, mark)  # PDFium: ".Translated from ..."
    text = " ".join(reviewed_build.out("dose", ".fa.txt").read_text(encoding="utf-8").split())
    assert mark in text


def test_a_lines_readings_are_its_words_in_pdfiums_orders() -> None:
    from publishkit.audit.core import line_readings

    assert line_readings("Last reviewed November 1, 2026") == (("last", "reviewed", "november", "1", "2026"),)
    logical, mixed, shown = line_readings("آخر مراجعة: 1 نوفمبر 2026، بواسطة Dana Whitfield, MD")
    assert logical == ("آخر", "مراجعة", "1", "نوفمبر", "2026", "بواسطة", "dana", "whitfield", "md")
    assert mixed == ("آخر", "مراجعة", "1", "نوفمبر", "2026", "بواسطة", "md", "whitfield", "dana")
    assert shown == mixed[::-1]
    assert line_readings("دکتر\u200cدانا") == (("دکتردانا",),) * 3  # a ZWNJ joins, it does not split
