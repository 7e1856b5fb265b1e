"""Checks per language: textstat's Spanish formula (and none for others), Spanish claim phrases."""

from __future__ import annotations

import json
from typing import Any

import pytest
import textstat
from conftest import Project
from test_translations import ENGLISH, SPANISH

from publishkit.checks.prose import read_document
from publishkit.checks.readability import measure, prose_text
from publishkit.checks.words import count_words
from publishkit.kit.pandoc import read_many
from publishkit.model.article import load_article
from publishkit.model.settings import Limits

EPOCH = {"SOURCE_DATE_EPOCH": "1793577600"}  # 2026-11-02 00:00 UTC
# Long sentences of long words: far below 55 on the INFLESZ scale.
HARD_ES = (
    "La administración concomitante de medicamentos antidepresivos inhibidores selectivos de la "
    "recaptación de serotonina con anticoagulantes orales incrementa considerablemente la probabilidad "
    "de complicaciones hemorrágicas gastrointestinales clínicamente significativas en pacientes "
    "polimedicados de edad avanzada. "
) * 2
EASY_ES = (
    "Tome la pastilla por la noche. Beba agua. Coma algo antes. Llame si se siente mal. "
    "Hable con su médico si tiene dudas. Guarde la caja en un lugar seco."
)


def _doc(project: Project, name: str, body: str, **front: object) -> Any:
    path = project.article(name, body, **front)
    article = load_article(path, Limits())
    parsed = read_many({name: article.body}, 60, sourcepos=True)
    return read_document(json.loads(parsed.values[name]))


def _check(project: Project) -> dict[str, Any]:
    result = project.run("check", env=EPOCH)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads((project.build / "check.json").read_text(encoding="utf-8"))
    return data["articles"]


def _findings(entry: dict[str, Any], check: str) -> list[dict[str, Any]]:
    return [f for f in entry["findings"] if f["check"] == check]


def test_spanish_is_read_with_szigriszt_pazos_on_the_inflesz_scale(project: Project) -> None:
    project.article("dose", ENGLISH)
    project.write(
        "source/dose.es.md", SPANISH.replace("Tome este medicamento", HARD_ES + "Tome este medicamento")
    )
    articles = _check(project)
    es = articles["dose.es"]
    doc = read_document(
        json.loads(
            read_many({"x": load_article(project.source / "dose.es.md", Limits()).body}, 60).values["x"]
        )
    )
    from textstat.backend import metrics

    text = prose_text(doc.units)
    assert es["readability"]["formula"] == "szigriszt-pazos"
    assert es["readability"]["ease"] == round(metrics.szigriszt_pazos(text, "es"), 1)
    assert es["readability"]["fernandez_huerta"] == round(metrics.fernandez_huerta(text, "es"), 1)
    assert es["readability"]["grade"] is None and es["target_grade"] is None and es["target_ease"] == 55
    ease = es["readability"]["ease"]
    assert ease < 40
    worst = es["readability"]["sections"][0]
    assert worst["title"] == "(opening text)" and worst["ease"] < ease  # all the hard prose is there
    [finding] = _findings(es, "readability")
    assert finding["level"] == "warning" and finding["line"] == 9
    assert finding["message"] == (
        f"reading ease {ease:g} (Szigriszt-Pazos, INFLESZ scale: 'muy difícil') is below the target of 55 "
        f"('normal') for patients; hardest sections: '(opening text)' (line 9, {worst['ease']:g}). "
        "Shorter sentences and everyday words raise it"
    )
    # The English original keeps its grade, its target, and no Spanish keys.
    en = articles["dose"]
    assert en["target_grade"] == 8 and "target_ease" not in en and "formula" not in en["readability"]


def test_an_easy_spanish_article_passes_and_the_target_is_a_setting(project: Project) -> None:
    project.article("easy", EASY_ES, language="es")
    entry = _check(project)["easy"]
    assert entry["readability"]["ease"] >= 65 and _findings(entry, "readability") == []
    project.set_config("target_grade = 8 ", "target_inflesz = 100\ntarget_grade = 8 ")
    message = _findings(_check(project)["easy"], "readability")[0]["message"]
    assert "is below the target of 100 ('muy fácil') for patients" in message


@pytest.mark.parametrize("language", ["zh-Hant", "ar"])
def test_a_language_without_a_formula_is_noted_once(project: Project, language: str) -> None:
    project.article("other", "本資料僅提供一般資訊。\n\n## 劑量\n\n每晚服用 20 毫克。", language=language)
    entry = _check(project)["other"]
    assert _findings(entry, "readability") == [
        {
            "level": "info",
            "check": "readability",
            "line": None,
            "message": f"reading level: no formula for '{language}'; not measured",
        }
    ]


def test_english_after_spanish_in_one_process_is_scored_with_english_rules(project: Project) -> None:
    english = _doc(project, "en", "Take your medicine with food every day. Call us if you feel sick.")
    spanish = _doc(project, "es", EASY_ES, language="es")
    before = measure(english, "en", 200)
    assert measure(spanish, "es", 200)["ease"] is not None
    assert measure(english, "en", 200) == before
    # Even textstat's process-global language, left at Spanish by other code, changes nothing.
    textstat.set_lang("es")
    try:
        assert measure(english, "en", 200) == before
    finally:
        textstat.set_lang("en_US")
    assert before["grade"] == round(textstat.flesch_kincaid_grade(prose_text(english.units)), 1)


# One Spanish sentence per built-in claim, each on its own line, accents and capitals as written.
CLAIM_EXAMPLES_ES = {
    "guaranteed": "Los resultados están GARANTIZADOS para todos.",
    "cure": "Este tratamiento cura la ansiedad.",
    "100-percent": "Es 100 % seguro para su familia.",
    "no-side-effects": "No tiene ningún efecto secundario.",
    "miracle": "Muchos lo llaman un remedio milagroso.",
    "is-safe": "La pastilla nueva es totalmente segura para los niños.",
    "risk-free": "El tratamiento aquí es sin riesgo.",
    "fast-results": "Promete un alivio inmediato.",
    "proven": "Está clínicamente comprobado que ayuda.",
    "works-for-everyone": "Esta terapia funciona para todo el mundo.",
    "not-addictive": "Este medicamento no crea adicción.",
    "natural-safe": "Como es natural, es suave con el cuerpo.",
    "fda-approved": "El aerosol está aprobado por la FDA.",
}
# Words near the claims that are not claims: "es seguro que" (it is certain that), "curas"
# (dressings), "procurar", and English phrases, which a Spanish article is not scanned for.
NOT_CLAIMS_ES = (
    "Es seguro que tendrá preguntas. Cambie las curas de la herida cada día. "
    "Procure descansar. The label says guaranteed."
)


def test_spanish_claims_are_found_with_accents_and_case_folded(project: Project) -> None:
    from publishkit.checks.claims import DEFAULT_IDS

    assert set(CLAIM_EXAMPLES_ES) == set(DEFAULT_IDS)
    body = "\n\n".join([EASY_ES, *CLAIM_EXAMPLES_ES.values(), NOT_CLAIMS_ES])
    path = project.article("promesas", body, language="es", title='"Una CURACIÓN para el insomnio"')
    lines = path.read_text(encoding="utf-8").splitlines()
    claims = _findings(_check(project)["promesas"], "claims")
    found = [(f["id"], f["line"], f["sentence"]) for f in claims]
    title = next(n for n, line in enumerate(lines, 1) if line.startswith("title:"))
    assert found[0] == ("cure", title, "Una CURACIÓN para el insomnio")
    expected = [
        (ident, next(n for n, line in enumerate(lines, 1) if line == sentence), sentence)
        for ident, sentence in CLAIM_EXAMPLES_ES.items()
    ]
    assert found[1:] == expected, found
    # The reason is the English one, for the staff who read `check`.
    assert claims[1]["message"].startswith("claim 'guaranteed' ('GARANTIZADOS'): \"Los resultados")
    assert "Why it matters: No treatment works for everyone" in claims[1]["message"]


# Chinese and Japanese put no spaces between words: their words are counted from characters.
OPENING_ZH = (
    "本藥每天晚上服用一次，可以幫助您睡得更好。請在睡前三十分鐘用一杯水吞服，不要和酒一起服用。"
    "如果您忘了服藥，隔天早上不要補吃。"
)  # 56 Han characters: 37 words
OPENING_JA = (
    "この薬は毎晩一回飲んでください。よく眠れるようになります。"
    "寝る三十分前にコップ一杯の水で飲み、お酒と一緒に飲まないでください。"
)  # 59 kanji and kana: 39 words
DETAILS_ZH = (
    "服藥後如果覺得頭暈、心跳很快或呼吸困難，請立刻停止服藥並打電話給診所。"
    "懷孕或正在哺乳的婦女，服藥前請先和醫師討論。"
)  # 52 Han characters


@pytest.mark.parametrize(
    ("language", "opening", "words"),
    [("zh-Hant", OPENING_ZH, 385), ("ja", OPENING_JA, 387)],
    ids=["zh-Hant", "ja"],
)
def test_chinese_and_japanese_words_are_counted_from_characters(
    project: Project, language: str, opening: str, words: int
) -> None:
    # The opening, a heading of 2 characters and ten paragraphs of 52: (56 + 2 + 520) / 1.5 = 385
    # words in Chinese, (59 + 2 + 520) / 1.5 = 387 with the Japanese opening.
    details = "\n\n".join([DETAILS_ZH] * 10)
    project.article("sleep", f"{opening}\n\n## 劑量\n\n{details}\n", language=language)
    entry = _check(project)["sleep"]
    assert _findings(entry, "opening") == []
    # About 300 characters a minute at 200 words (IReST: 255 a minute in Chinese, 357 in Japanese).
    assert entry["readability"]["words"] == words and entry["readability"]["minutes"] == 2


@pytest.mark.parametrize(
    ("opening", "message"),
    [
        (
            "請按時服藥。",
            "the first paragraph has only 3 words (5 characters, 1.5 to a word): state the main message "
            "in a full sentence or two (10 to 80 words)",
        ),
        (
            OPENING_ZH * 3,
            "the first paragraph has 112 words (168 characters, 1.5 to a word): keep the main message "
            "short (80 words or fewer) and move details further down",
        ),
    ],
    ids=["short", "long"],
)
def test_a_short_or_long_chinese_opening_is_still_warned_about(
    project: Project, opening: str, message: str
) -> None:
    path = project.article("sleep", f"{opening}\n\n## 劑量\n\n{DETAILS_ZH}\n", language="zh-Hant")
    line = path.read_text(encoding="utf-8").splitlines().index(opening) + 1
    entry = _check(project)["sleep"]
    assert _findings(entry, "opening") == [
        {"level": "warning", "check": "opening", "line": line, "message": message}
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Take your medicine with food — every day (twice).",
        "Tome la pastilla por la noche. ¿Dudas? Llame.",
        "تناول الدواء مع الطعام كل يوم.",
        "하루에 두 번 약을 드세요.",
        "Uống thuốc mỗi ngày sau bữa ăn.",
        "",
        " \n\t ",
    ],
)
def test_words_between_spaces_are_counted_as_before(text: str) -> None:
    assert count_words(text) == len(text.split())


def test_chinese_in_other_text_counts_only_its_characters() -> None:
    # "Take", "—", "now." and 當歸 (2 characters: 1 word); "20" and 6 characters (4 words); the
    # punctuation beside Chinese characters is no word.
    assert count_words("Take 當歸 — now.") == 4
    assert count_words("每晚服用 20 毫克。") == 5
    assert count_words("（見第３頁）") == 3  # the full-width digit is a word of its own
    assert count_words("コーヒーを飲む") == 5  # "ー" is a Katakana letter: 7 characters
