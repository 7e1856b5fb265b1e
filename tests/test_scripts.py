"""Every script prints: Arabic (right to left) and Traditional Chinese translations in every format."""

from __future__ import annotations

import email
import io
import re
import shutil
import subprocess
from email import policy
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import EPOCH, REPO, Project, make_project

from publishkit.audit.glyphs import missing_glyphs

ENGLISH = """
Take this medicine as your clinician says.

## How much

Take 20 mg at night. Children over 12 may take 12.5 mg.

## When to call

Call us if you feel dizzy for more than 2 days.
"""
ARABIC = """
---
title: "اختبار: جرعتك"
summary: "كم تأخذ ومتى تتصل بنا."
reviewed: 2026-11-01
language: ar
email:
  subject: "جرعتك لهذا الأسبوع"
---

تناول هذا الدواء كما يقول لك طبيبك.

## الكمية

تناول 20 ملغ في الليل. يمكن للأطفال فوق 12 عامًا تناول 12.5 ملغ.

## متى تتصل

اتصل بنا إذا شعرت بالدوار لأكثر من 2 أيام.
"""
CHINESE = """
---
title: "測試：您的劑量"
summary: "服用多少以及何時致電。"
reviewed: 2026-11-01
language: zh-Hant
email:
  subject: "您本週的劑量"
---

請依照您的醫護人員指示服用此藥。

## 劑量

每晚服用 20 毫克。12 歲以上的兒童可服用 12.5 毫克。

## 何時致電

如果您頭暈超過 2 天，請致電我們。
"""
SHORT = {
    "ar": "معلومات عامة فقط، وليست نصيحة طبية. تحدث إلى طبيبك.",
    "zh-Hant": "僅供一般資訊參考，並非醫療建議。請諮詢您的醫護人員。",
}
REGISTRY = f"""
- id: not-medical-advice
  applies: always
  short:
    en: "General information only, not medical advice. Talk to your clinician."
    ar: "{SHORT["ar"]}"
    zh-Hant: "{SHORT["zh-Hant"]}"
  text:
    en: "This handout gives general information only. It is not medical advice."
    ar: "تقدم هذه النشرة معلومات عامة فقط. وهي ليست نصيحة طبية."
    zh-Hant: "本資料僅提供一般資訊，並非醫療建議。"
"""
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def scripts_build(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("scripts") / "proj")
    proj.write("source/disclaimers.yaml", REGISTRY)
    proj.article("dose", ENGLISH)
    proj.write("source/dose.ar.md", ARABIC)
    proj.write("source/dose.zh-Hant.md", CHINESE)
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    for name in ("dose.ar", "dose.zh-Hant"):
        assert proj.run("translated", name, env=env).returncode == 0
    result = proj.run("all", "--jobs", "1", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    return proj


@pytest.mark.parametrize("lang", ["ar", "zh-Hant"])
def test_every_format_builds(scripts_build: Project, lang: str) -> None:
    names = sorted(p.name for p in (scripts_build.build / "dose").iterdir() if f".{lang}." in p.name)
    assert names == [f"dose.{lang}{s}" for s in (".docx", ".email.html", ".eml", ".pdf", ".txt")]


@pytest.mark.parametrize("lang", ["ar", "zh-Hant"])
def test_a_helpers_handout_has_the_bytes_of_one_process(
    scripts_build: Project, lang: str, tmp_path: Path
) -> None:
    """One translation with --jobs 2: its handout laid out by the helper, which loads the fonts
    at the first handout (no one-line rehearsal); the same bytes as the --jobs 1 build."""
    proj = Project(tmp_path / "proj")
    shutil.copytree(scripts_build.root, proj.root, symlinks=True)
    pdf = proj.build / "dose" / f"dose.{lang}.pdf"
    before = pdf.read_bytes()
    result = proj.run("all", f"dose.{lang}", "--force", "--jobs", "2", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes() == before


def _flat(text: str) -> str:
    """As the audit compares (PDFium reads an Arabic lam-alef ligature backwards), without spaces."""
    from publishkit.audit.core import normalize

    return re.sub(r"\s+", "", normalize(text))


@pytest.mark.parametrize("lang", ["ar", "zh-Hant"])
def test_every_pdf_page_footer_carries_the_languages_short_disclaimer(
    scripts_build: Project, lang: str
) -> None:
    from publishkit.audit.readers import extract_pdf

    extracted = extract_pdf(scripts_build.out("dose", f".{lang}.pdf").read_bytes())
    assert len(extracted.footers or ()) >= 1
    for footer in extracted.footers or ():
        assert _flat(SHORT[lang]) in _flat(footer)


@pytest.mark.parametrize(
    ("lang", "family"), [("ar", "PK-Noto-Sans-Arabic"), ("zh-Hant", "PK-Noto-Sans-CJK-TC")]
)
def test_the_pdfs_fonts_have_real_glyphs_for_every_character(
    scripts_build: Project, lang: str, family: str
) -> None:
    import pikepdf

    data = scripts_build.out("dose", f".{lang}.pdf").read_bytes()
    assert missing_glyphs(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = {str(f.BaseFont) for page in pdf.pages for f in page.Resources.Font.values()}
    assert any(family in f for f in fonts), fonts


def _docx_xml(path: Path) -> tuple[object, object]:
    import docx

    document = docx.Document(io.BytesIO(path.read_bytes()))
    return document.element.body, document.styles.element


def test_the_arabic_docx_is_right_to_left_with_complex_script_font_and_language(
    scripts_build: Project,
) -> None:
    body, styles = _docx_xml(scripts_build.out("dose", ".ar.docx"))
    rpr = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")  # type: ignore[attr-defined]
    assert rpr.find(f"{W}rFonts").get(f"{W}cs") == "Noto Sans Arabic"
    assert rpr.find(f"{W}lang").get(f"{W}bidi") == "ar"
    paragraphs = list(body.iter(f"{W}p"))  # type: ignore[attr-defined]
    arabic = [p for p in paragraphs if re.search("[\u0600-\u06ff]", "".join(p.itertext()))]
    assert arabic and all(p.find(f"{W}pPr/{W}bidi") is not None for p in arabic)
    latin = [p for p in paragraphs if "Harbor Street" in "".join(p.itertext())]  # the clinic's address
    assert latin and all(p.find(f"{W}pPr/{W}bidi") is None for p in latin)
    arabic_runs = [r for r in body.iter(f"{W}r") if re.search("[\u0600-\u06ff]", "".join(r.itertext()))]  # type: ignore[attr-defined]
    assert arabic_runs and all(r.find(f"{W}rPr/{W}rtl") is not None for r in arabic_runs)
    bold = [r for r in arabic_runs if r.find(f"{W}rPr/{W}b") is not None]
    assert all(r.find(f"{W}rPr/{W}bCs") is not None for r in bold)


def test_the_arabic_docx_puts_the_summary_bar_on_the_right_and_libreoffice_draws_noto_arabic(
    scripts_build: Project, tmp_path: Path
) -> None:
    body, styles = _docx_xml(scripts_build.out("dose", ".ar.docx"))
    # Borders stay on their side of the page in a right-to-left paragraph (ECMA-376 17.3.1.17).
    [summary] = [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}pStyle[@{W}val='Summary']") is not None]  # type: ignore[attr-defined]
    bar = summary.find(f"{W}pPr/{W}pBdr")
    assert [(e.tag, e.get(f"{W}val")) for e in bar] == [(f"{W}left", "nil"), (f"{W}right", "single")]
    # The styles' own complex-script font would override the document's default Arabic one.
    fonts = {f.get(f"{W}cs") for f in styles.iter(f"{W}rFonts")} - {None}  # type: ignore[attr-defined]
    assert fonts == {"Noto Sans Arabic"}
    command = ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless"]
    command += ["--convert-to", "pdf", "--outdir", str(tmp_path), str(scripts_build.out("dose", ".ar.docx"))]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    used = subprocess.run(["pdffonts", str(tmp_path / "dose.ar.pdf")], capture_output=True, text=True).stdout
    assert "NotoSansArabic" in used


def test_the_chinese_docx_sets_east_asian_font_and_language_and_stays_left_to_right(
    scripts_build: Project,
) -> None:
    body, styles = _docx_xml(scripts_build.out("dose", ".zh-Hant.docx"))
    rpr = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")  # type: ignore[attr-defined]
    assert rpr.find(f"{W}rFonts").get(f"{W}eastAsia") == "Noto Sans CJK TC"
    assert rpr.find(f"{W}lang").get(f"{W}eastAsia") == "zh-Hant"
    # Only the Arabic and Persian language-access taglines (test_taglines.py) run right to left.
    rtl = [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}bidi") is not None]  # type: ignore[attr-defined]
    assert all(p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "Tagline" for p in rtl)
    runs = [r for r in body.iter(f"{W}r") if r.find(f"{W}rPr/{W}rtl") is not None]  # type: ignore[attr-defined]
    assert all(r.find(f"{W}rPr/{W}lang").get(f"{W}val") in ("ar", "fa") for r in runs)


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("zh-Hant", "ltr"), ("en", "ltr")])
def test_the_email_and_handout_roots_carry_lang_and_dir(
    scripts_build: Project, lang: str, direction: str
) -> None:
    suffix = "" if lang == "en" else f".{lang}"
    msg = email.message_from_bytes(
        scripts_build.out("dose", f"{suffix}.eml").read_bytes(), policy=policy.default
    )
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert f'<html lang="{lang}" dir="{direction}"' in html
    assert msg["Content-Language"] == lang
    page = scripts_build.out("dose", f"{suffix}.email.html").read_text(encoding="utf-8")
    assert f'<html lang="{lang}" dir="{direction}"' in page


def test_the_shipped_fonts_alone_draw_every_shipped_tagline(project: Project, tmp_path: Path) -> None:
    """Without any system font (a fresh machine), every tagline prints with real glyphs."""
    taglines = yaml.safe_load((REPO / "source" / "taglines.yaml").read_text(encoding="utf-8"))
    body = "\n\n".join(f'::: {{lang="{t["lang"]}"}}\n{t["name"]}: {t["text"]}\n:::' for t in taglines)
    project.article("taglines", body.replace("{phone}", "555-0100"))
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"<fontconfig><cachedir>{tmp_path / 'fc'}</cachedir></fontconfig>", encoding="utf-8")
    result = project.run("pdf", env={"SOURCE_DATE_EPOCH": EPOCH, "FONTCONFIG_FILE": str(conf)})
    assert result.returncode == 0, result.stderr
    assert missing_glyphs(project.out("taglines", ".pdf").read_bytes()) == []


# Where, left to right on screen, each piece of the clinic's phone line is drawn.
_PIECE_X_JS = """(pieces) => {
  const p = [...document.querySelectorAll('p')].find(e => e.textContent.includes(pieces[0]));
  const text = p.firstChild, range = document.createRange();
  return pieces.map(piece => {
    const at = text.textContent.indexOf(piece);
    range.setStart(text, at); range.setEnd(text, at + piece.length);
    return range.getBoundingClientRect().left;
  });
}"""


@pytest.mark.parametrize("width", [375, 600])
def test_the_arabic_email_keeps_the_phone_in_order_and_its_bars_on_the_right(
    browser: Any, scripts_build: Project, width: int
) -> None:
    from emailprobe import open_email

    page = open_email(browser, scripts_build.out("dose", ".ar.email.html"), width)
    try:
        # In a right-to-left root, "(503) 555-0142" read as "555-0142 (503)" and the address's
        # house number went to the end of the line.
        area, number = page.evaluate(_PIECE_X_JS, ["(503)", "555-0142"])
        assert area < number
        house, street = page.evaluate(_PIECE_X_JS, ["1200", "Harbor"])
        assert house < street
        box = page.evaluate(
            "() => { const s = getComputedStyle(document.querySelector('.pk-important'));"
            " return [s.borderLeftWidth, s.borderRightWidth]; }"
        )
        assert box == ["1px", "6px"]
    finally:
        page.close()


VIETNAMESE = """
---
title: "Liều thuốc của bạn"
summary: "Uống bao nhiêu và khi nào cần gọi."
reviewed: 2026-11-01
language: vi
---

Hãy uống thuốc này theo chỉ dẫn của bác sĩ. Dịch vụ hỗ trợ luôn sẵn sàng cho mọi người.

## Bao nhiêu

Uống 20 mg vào buổi tối. Trẻ em trên 12 tuổi có thể uống 12,5 mg.

## Khi nào cần gọi

Hãy gọi cho chúng tôi nếu bạn bị chóng mặt hơn 2 ngày. Chúng tôi cung cấp dịch vụ miễn phí.
"""
SHORT_VI = "Chỉ là thông tin chung, không phải lời khuyên y tế. Hãy hỏi bác sĩ của bạn."


def test_a_vietnamese_article_reads_back_exactly_from_the_pdf(project: Project) -> None:
    """Noto Sans's ccmp splits ị, ụ, ọ, ạ... into a base and one shared dot-below glyph; the PDF's
    text layer has one string per glyph, so "dịch vụ" read back as "di ọch vuọ"."""
    import unicodedata

    from publishkit.audit.readers import extract_pdf

    vi = f'    vi: "{SHORT_VI}"\n'
    project.write("source/disclaimers.yaml", REGISTRY.replace("  text:\n", vi + "  text:\n") + vi)
    project.article("dose", ENGLISH)
    project.write("source/dose.vi.md", VIETNAMESE)
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    assert project.run("translated", "dose.vi", env=env).returncode == 0
    result = project.run("pdf", "--jobs", "1", env=env)  # the audit and its glyph gate pass
    assert result.returncode == 0, result.stderr
    extracted = extract_pdf(project.out("dose", ".vi.pdf").read_bytes())
    shown = unicodedata.normalize("NFC", " ".join(" ".join(extracted.pages).split()))
    body = VIETNAMESE.split("---", 2)[2]
    for line in [*body.replace("## ", "").strip().splitlines(), "Liều thuốc của bạn", SHORT_VI]:
        assert line in shown, line
    assert all(unicodedata.normalize("NFC", SHORT_VI) in " ".join(f.split()) for f in extracted.footers or ())
