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
