"""publish.py check: readability, review dates, risky claims, structure, check.json, and `all`."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import textstat
from conftest import Project, make_project

from publishkit.audit.readers import READERS
from publishkit.checks.claims import DEFAULT_IDS
from publishkit.checks.prose import read_document
from publishkit.checks.readability import ensure_cmudict, prose_text
from publishkit.checks.runner import run_checks
from publishkit.errors import ConfigError
from publishkit.kit.pandoc import read_many
from publishkit.model.article import load_article
from publishkit.model.review import add_months, review_status
from publishkit.model.settings import Limits, load_settings

EPOCH = {"SOURCE_DATE_EPOCH": "1793577600"}  # 2026-11-02 00:00 UTC
TODAY = date(2026, 11, 2)
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)

# One sentence per built-in claim, written for the tests (each on its own line of the source).
CLAIM_EXAMPLES = {
    "guaranteed": "Results are guaranteed for every patient.",
    "cure": "This treatment cures anxiety.",
    "100-percent": "The procedure works 100% of the time.",
    "no-side-effects": "You will have no side effects at all.",
    "miracle": "Many call it a miracle drug.",
    "is-safe": "The new tablet is completely safe for children.",
    "risk-free": "Treatment here is risk-free.",
    "fast-results": "You will feel better—and fast!",
    "proven": "It is clinically proven to help.",
    "works-for-everyone": "This therapy works for everyone.",
    "not-addictive": "The medicine is non-addictive.",
    "natural-safe": "Because it is natural, it is gentle on the body.",
    "fda-approved": "The spray is FDA-approved.",
}

# A hand-written paragraph of short, everyday sentences: a low grade, well under 8.
PLAIN_PARAGRAPH = (
    "Drink water when you wake up. Eat fruit with lunch. Take a short walk after dinner. "
    "Go to bed at the same time each night. Call us if you feel sick for more than two days."
)


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def _write_articles(proj: Project) -> None:
    (proj.source / "assets").mkdir(exist_ok=True)
    (proj.source / "assets" / "dot.png").write_bytes(PNG)
    proj.article("stale-review", f"{PLAIN_PARAGRAPH}\n", reviewed="2025-06-01")
    proj.article("due-soon", f"{PLAIN_PARAGRAPH}\n", reviewed="2025-11-20")
    proj.article("future-date", f"{PLAIN_PARAGRAPH}\n", reviewed="2026-12-24")
    claims = "\n\n".join(v for k, v in CLAIM_EXAMPLES.items() if k != "fda-approved")
    claims += (
        "\n\nOur clinic offers many services for adults and for children.\n" + CLAIM_EXAMPLES["fda-approved"]
    )
    proj.article("claims", f"{PLAIN_PARAGRAPH}\n\n## Promises\n\n{claims}\n")
    proj.article(
        "missing-alt",
        f"{PLAIN_PARAGRAPH}\n\n## Pictures\n\n![](assets/dot.png)\n\n![dot.png](assets/dot.png)\n",
    )
    proj.article(
        "structure",
        """
        ## Starts with a heading

        Some words here for the reader to read today.

        #### Too deep

        See [the top](#starts-with-a-heading), [a missing part](#nowhere), [old site](http://example.org/),
        [safe site](https://example.org/), [email us](mailto:care@example.org) and [here](https://example.org/x).
        """,
    )
    proj.article("plain", f"{PLAIN_PARAGRAPH}\n")


@pytest.fixture(scope="session")
def checked(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Project, subprocess.CompletedProcess[str], dict[str, Any]]:
    proj = make_project(tmp_path_factory.mktemp("checks") / "proj")
    _write_articles(proj)
    result = proj.run("check", env=EPOCH)
    data = json.loads((proj.build / "check.json").read_text(encoding="utf-8"))
    return proj, result, data


def _findings(data: dict[str, Any], slug: str, check: str) -> list[dict[str, Any]]:
    return [f for f in data["articles"][slug]["findings"] if f["check"] == check]


def test_exit_code_and_output_lines(checked: Any) -> None:
    proj, result, _data = checked
    assert result.returncode == 1  # the missing alt text and the future date are errors
    assert "Content checks" in result.stdout and "stale-review" in result.stdout
    line = _line_of(proj.source / "missing-alt.md", "![](assets/dot.png)")
    assert (
        f"Error: check: source/missing-alt.md:{line}: image 'assets/dot.png' has no alt text" in result.stderr
    )
    assert "Warning: check: source/structure.md:" in result.stderr


def test_stale_review_is_flagged(checked: Any) -> None:
    proj, result, data = checked
    entry = data["articles"]["stale-review"]
    assert entry["review"] == {
        "reviewed": "2025-06-01",
        "due": "2026-06-01",
        "state": "overdue",
        "days_left": -154,
    }
    (finding,) = _findings(data, "stale-review", "review")
    assert finding["level"] == "warning" and finding["line"] == _line_of(
        proj.source / "stale-review.md", "reviewed:"
    )
    assert "review overdue" in finding["message"] and "overdue by 154 days" in result.stdout
    assert _findings(data, "due-soon", "review")[0]["level"] == "info"
    assert data["articles"]["due-soon"]["review"]["state"] == "due-soon"
    future = _findings(data, "future-date", "review")
    assert future[0]["level"] == "error" and "in the future" in future[0]["message"]


@pytest.mark.parametrize("claim_id", DEFAULT_IDS)
def test_each_default_claim_is_caught_on_its_line(checked: Any, claim_id: str) -> None:
    proj, _result, data = checked
    expected = _line_of(proj.source / "claims.md", CLAIM_EXAMPLES[claim_id])
    hits = [f for f in _findings(data, "claims", "claims") if f["id"] == claim_id]
    assert [h["line"] for h in hits] == [expected], hits
    assert hits[0]["sentence"] == CLAIM_EXAMPLES[claim_id]  # quoted as written, never changed
    assert hits[0]["reason"] and hits[0]["level"] == "warning"


def test_every_default_claim_has_a_test_example() -> None:
    assert set(CLAIM_EXAMPLES) == set(DEFAULT_IDS)


def test_missing_alt_is_an_error_and_a_file_name_alt_a_warning(checked: Any) -> None:
    proj, _result, data = checked
    images = _findings(data, "missing-alt", "images")
    assert [(f["level"], f["line"]) for f in images] == [
        ("error", _line_of(proj.source / "missing-alt.md", "![](assets/dot.png)")),
        ("warning", _line_of(proj.source / "missing-alt.md", "![dot.png]")),
    ]
    assert data["articles"]["missing-alt"]["errors"] == 1


def test_structure_headings_links_opening(checked: Any) -> None:
    proj, _result, data = checked
    src = proj.source / "structure.md"
    (heading,) = _findings(data, "structure", "headings")
    assert (
        heading["line"] == _line_of(src, "#### Too deep")
        and "skips from level 2 to level 4" in heading["message"]
    )
    links = {f["message"].split("'")[1]: f for f in _findings(data, "structure", "links")}
    assert set(links) == {"#nowhere", "http://example.org/", "here"}
    assert all(f["level"] == "warning" for f in links.values())
    assert links["http://example.org/"]["line"] == _line_of(src, "http://example.org/")
    assert "use https://" in links["http://example.org/"]["message"]
    (opening,) = _findings(data, "structure", "opening")
    assert (
        opening["line"] == _line_of(src, "## Starts with a heading")
        and "starts with a heading" in opening["message"]
    )
    assert _findings(data, "plain", "opening") == []


def test_grade_matches_textstat_on_the_extracted_prose(checked: Any) -> None:
    proj, _result, data = checked
    settings = load_settings(proj.root)
    ensure_cmudict()
    for slug in ("claims", "structure", "plain"):
        article = load_article(proj.source / f"{slug}.md", Limits())
        parsed = read_many({slug: article.body}, 60, sourcepos=True)
        text = prose_text(read_document(json.loads(parsed.values[slug])).units)
        assert (
            abs(data["articles"][slug]["readability"]["grade"] - textstat.flesch_kincaid_grade(text)) <= 0.1
        )
        assert abs(data["articles"][slug]["readability"]["smog"] - textstat.smog_index(text)) <= 0.1
    assert settings.checks.target_grade == 8


def test_grade_of_a_hand_written_paragraph(checked: Any) -> None:
    _proj, _result, data = checked
    ensure_cmudict()
    grade = data["articles"]["plain"]["readability"]["grade"]
    assert abs(grade - textstat.flesch_kincaid_grade(PLAIN_PARAGRAPH)) <= 0.1
    # 5 sentences, 38 words: about 7.6 words a sentence and 1.2 syllables a word.
    assert 0 <= grade <= 3
    readability = data["articles"]["plain"]["readability"]
    assert readability["words"] == len(PLAIN_PARAGRAPH.split()) and readability["minutes"] == 1


def test_prose_leaves_out_headings_drug_lists_tables_and_code(project: Project) -> None:
    body = """
        Take your medicine with food every day.

        ## Medicines

        - Sertraline
        - Vitamin B12
        - Keep every medicine in its box with the label on.

        | Drug | Dose |
        |------|------|
        | Sertraline | 50 mg |

        ```
        pharmacology jargon incomprehensible
        ```

        Ask us if you are not sure.
        """
    path = project.article("prose", body)
    article = load_article(path, Limits())
    parsed = read_many({"p": article.body}, 60, sourcepos=True)
    text = prose_text(read_document(json.loads(parsed.values["p"])).units)
    assert text == (
        "Take your medicine with food every day.\n"
        "Keep every medicine in its box with the label on.\n"
        "Ask us if you are not sure."
    )


def test_check_json_content(checked: Any) -> None:
    _proj, _result, data = checked
    assert data["schema"] == 1 and data["checked_on"] == "2026-11-02"
    assert set(data["articles"]) == {
        "stale-review",
        "due-soon",
        "future-date",
        "claims",
        "missing-alt",
        "structure",
        "plain",
    }
    plain = data["articles"]["plain"]
    assert (
        plain["path"] == "source/plain.md" and plain["audience"] == "patients" and plain["target_grade"] == 8
    )
    assert set(plain["readability"]) >= {"grade", "smog", "words", "minutes", "sections"}
    totals = data["totals"]
    assert totals["errors"] == sum(a["errors"] for a in data["articles"].values()) == 2
    assert totals["articles"] == 7


def test_strict_turns_warnings_into_failure_and_reuses_the_cache(project: Project) -> None:
    path = project.article("warn", f"{PLAIN_PARAGRAPH}\n\nThis pill is risk-free.\n")
    first = project.run("check", env=EPOCH)
    assert first.returncode == 0, first.stderr
    assert f"Warning: check: source/warn.md:{_line_of(path, 'risk-free')}: claim 'risk-free'" in first.stderr
    strict = project.run("check", "--strict", env=EPOCH)
    assert strict.returncode == 1 and "claim 'risk-free'" in strict.stderr
    # Nothing changed: the content part comes from build/check.json. A pandoc start would time out.
    settings = load_settings(project.root)
    settings = replace(settings, limits=replace(settings.limits, pandoc_timeout=1e-6))
    cached = run_checks(settings, [load_article(path, settings.limits)], TODAY)
    assert [f.id for f in cached["warn"].findings] == ["risk-free"]
    forced = run_checks(settings, [load_article(path, settings.limits)], TODAY, force=True)
    assert [f.message for f in forced["warn"].findings] == ["too complex: pandoc took longer than 1e-06 s"]


def test_clinicians_have_no_grade_target_and_settings_change_it(project: Project) -> None:
    hard = "Pharmacokinetic considerations necessitate individualized titration in hepatic impairment. " * 3
    project.article("for-doctors", hard, audience="clinicians")
    project.article("for-patients", hard)
    result = project.run("check", env=EPOCH)
    data = json.loads((project.build / "check.json").read_text(encoding="utf-8"))
    assert _findings(data, "for-doctors", "readability") == []
    assert _findings(data, "for-patients", "readability")[0]["level"] == "warning"
    assert "for-doctors" in result.stdout
    project.set_config("target_grade_clinicians = 0 ", "target_grade_clinicians = 10 ")
    project.run("check", env=EPOCH)
    data = json.loads((project.build / "check.json").read_text(encoding="utf-8"))
    assert (
        "above the target of 10 for clinicians" in _findings(data, "for-doctors", "readability")[0]["message"]
    )


def test_extra_claims_and_bad_claim_settings(project: Project) -> None:
    project.set_config(
        "[tool.publish.checks]\n",
        '[tool.publish.checks]\nclaims = ["cure"]\n'
        'extra_claims = [{ phrase = "painless", reason = "Most procedures hurt a little." }]\n',
    )
    path = project.article("extra", f"{PLAIN_PARAGRAPH}\n\nThe shot is painless and risk-free.\n")
    project.run("check", env=EPOCH)
    data = json.loads((project.build / "check.json").read_text(encoding="utf-8"))
    hits = _findings(data, "extra", "claims")
    assert [(h["id"], h["line"], h["reason"]) for h in hits] == [
        ("painless", _line_of(path, "painless"), "Most procedures hurt a little.")
    ]  # risk-free is switched off: only "cure" of the built-in list is on
    project.set_config('claims = ["cure"]', 'claims = ["cures"]')
    with pytest.raises(ConfigError, match=r"unknown name 'cures'\. Valid names: guaranteed, cure,"):
        load_settings(project.root)
    bad = project.run("check", env=EPOCH)
    assert bad.returncode == 1 and "Error: config:" in bad.stderr


def test_review_dates() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 2), 12) == date(2026, 11, 2)
    assert review_status(date(2025, 11, 2), TODAY, 12, 30).state == "due-soon"  # due today: not yet overdue
    assert review_status(date(2025, 11, 1), TODAY, 12, 30).overdue
    assert review_status(date(2026, 11, 2), TODAY, 12, 30).state == "current"
    assert review_status(date(2026, 11, 3), TODAY, 12, 30).state == "future"
    stale = review_status(date(2025, 6, 1), TODAY, 12, 30)
    assert stale.mark == "Review overdue" and "June 1, 2026" in stale.notice


def test_seed_article_claims_are_flagged(seed_build: Project) -> None:
    data = json.loads((seed_build.build / "check.json").read_text(encoding="utf-8"))
    src = seed_build.source / "ketamine-neurobiology.md"
    hits = {f["id"]: f for f in _findings(data, "ketamine-neurobiology", "claims")}
    assert hits["is-safe"]["line"] == _line_of(src, "ketamine for depression is safe")
    assert hits["fast-results"]["line"] == _line_of(src, "feel better—and fast!")
    assert hits["fast-results"]["sentence"] == "When they’re blocked, you start to feel better—and fast!"
    assert "feel better—and fast!" in src.read_text(encoding="utf-8")  # the author's words are untouched
    assert (seed_build.out("ketamine-neurobiology", ".txt")).is_file()  # warnings do not stop the build


def test_all_stops_an_article_with_a_check_error_and_marks_overdue_outputs(project: Project) -> None:
    (project.source / "assets").mkdir(exist_ok=True)
    (project.source / "assets" / "dot.png").write_bytes(PNG)
    project.article("no-alt", f"{PLAIN_PARAGRAPH}\n\n![](assets/dot.png)\n")
    project.article("old", f"{PLAIN_PARAGRAPH}\n", reviewed="2025-06-01")
    project.article("fresh", f"{PLAIN_PARAGRAPH}\n", reviewed="2026-11-01")
    result = project.run("all", "--jobs", "1", env=EPOCH)
    assert result.returncode == 1
    assert "Error: check: source/no-alt.md" in result.stderr and "no alt text" in result.stderr
    assert "not built: the content check found 1 error" in result.stderr
    assert "Warning: check: source/old.md:4: review overdue" in result.stderr
    assert not project.out("no-alt", ".txt").exists() and not project.out("no-alt", ".email.html").exists()
    text = " ".join(project.out("old", ".txt").read_text(encoding="utf-8").split())
    assert "*** Review overdue: this information was due for its next review on June 1, 2026." in text
    html = project.out("old", ".email.html").read_text(encoding="utf-8")
    assert "Review overdue:</strong> this information was due" in html
    # The printed handout and the Word file show the mark where a patient or clinician sees it.
    pdf = " ".join(READERS["pages"].read(project.out("old", ".pdf").read_bytes()).pages[0].split())
    assert "Review overdue: this information was due for its next review on June 1, 2026." in pdf
    docx_text = " ".join(READERS["sections"].read(project.out("old", ".docx").read_bytes()).pages[0].split())
    assert "Review overdue: this information was due for its next review on June 1, 2026." in docx_text
    assert "Review overdue" not in " ".join(
        READERS["pages"].read(project.out("fresh", ".pdf").read_bytes()).text.split()
    )
    again = project.run("all", "--jobs", "1", "--strict", env=EPOCH)
    assert again.returncode == 1 and "not built: the content check found 1 problem" in again.stderr


def test_claims_in_the_summary_and_choosing_articles(project: Project) -> None:
    path = project.article("lead", f"{PLAIN_PARAGRAPH}\n", summary='"A miracle for better sleep."')
    project.article("other", f"{PLAIN_PARAGRAPH}\n")
    result = project.run("check", "lead", env=EPOCH)
    assert result.returncode == 0, result.stderr
    line = _line_of(path, "summary:")
    expected = f"Warning: check: source/lead.md:{line}: claim 'miracle' ('miracle') (in the summary)"
    assert expected in result.stderr
    data = json.loads((project.build / "check.json").read_text(encoding="utf-8"))
    assert set(data["articles"]) == {"lead"}
    unknown = project.run("check", "nope", env=EPOCH)
    assert unknown.returncode == 1
    assert "Error: source: no article 'nope' in source/. Articles: lead, other" in unknown.stderr


def _measured(path: Path) -> dict[str, Any]:
    from publishkit.checks.readability import measure

    article = load_article(path, Limits())
    parsed = read_many({"x": article.body}, 60, sourcepos=True)
    return measure(read_document(json.loads(parsed.values["x"])), article.meta.language, 200)


def test_the_seed_articles_scores_are_pinned() -> None:
    """Exact scores of the seed article: making the checks faster must not move any of them
    (benchmarks/check_parity.py compares the whole output of two versions)."""
    from conftest import REPO

    scores = _measured(REPO / "source" / "ketamine-neurobiology.md")
    assert (scores["grade"], scores["smog"], scores["words"], scores["prose_words"]) == (11.1, 13.3, 850, 814)
    assert [(s["grade"], s["words"], s["line"]) for s in scores["sections"]] == [
        (13.4, 114, 2),
        (12.1, 78, 8),
        (11.4, 97, 20),
    ]


def test_a_spanish_articles_scores_are_pinned(project: Project) -> None:
    from test_checks_language import EASY_ES, HARD_ES

    body = f"{HARD_ES}\n\n## Fácil\n\n{EASY_ES} {EASY_ES}\n\n## Difícil\n\n{HARD_ES}{EASY_ES}\n"
    scores = _measured(project.article("es", body, language="es"))
    assert (scores["ease"], scores["fernandez_huerta"], scores["prose_words"]) == (24.2, 30.3, 218)
    assert [(s["title"], s["ease"]) for s in scores["sections"]] == [
        ("(opening text)", -45.2),
        ("Difícil", 11.2),
        ("Fácil", 99.1),
    ]


def test_syllables_of_a_word_are_counted_once_per_process() -> None:
    from textstat.backend.counts import count_polysyllable_words

    from publishkit.checks.readability import WORD_CACHE_SIZE, score, word_syllables

    score("A first sentence.")  # installs the larger cache
    counted = word_syllables()
    assert counted.cache_parameters()["maxsize"] == WORD_CACHE_SIZE
    text = "Unbelievably complicated pharmacological terminology confuses everybody."
    count_polysyllable_words(text, "en_US")
    hits = counted.cache_info().hits
    count_polysyllable_words(text + " Terminology again.", "en_US")  # a new text, the same words
    assert counted.cache_info().hits >= hits + 5
    # A different word is counted afresh, with textstat's own answer.
    assert (counted("cat", "en_US"), counted("terminology", "en_US")) == (1, 5)
    assert count_polysyllable_words("Cats sit.", "en_US") == 0


def test_claim_patterns_are_compiled_once() -> None:
    from publishkit.checks.claims import DEFAULT_CLAIMS, Claim, scan

    cure = DEFAULT_CLAIMS[1]
    assert cure.compile() is cure.compile()
    other = Claim("cure", r"\bheals?\b", "why")
    assert other.compile() is not cure.compile()
    text = "It heals. It cures."
    assert [h.matched for h in scan(text, [cure])] == ["cures"]
    assert [h.matched for h in scan(text, [other])] == ["heals"]


def test_the_pronouncing_dictionary_is_kept_out_of_the_garbage_collectors_walks() -> None:
    """Its 126,000 entries lived as 400,000 lists as long as the process, and every full
    collection walked them all (a fifth of the checks' time). As tuples of strings they are left
    alone after the collector's first looks, and read the same way."""
    probe = (
        "import gc, sys, nltk\n"
        f"sys.path.insert(0, {str(Path(__file__).parent.parent)!r})\n"
        "from publishkit.checks.readability import ensure_cmudict\n"
        "ensure_cmudict()\n"
        "before = len(gc.get_objects())\n"
        "words = nltk.corpus.cmudict.dict()\n"
        "gc.collect(), gc.collect()\n"
        "print(len(words), len(gc.get_objects()) - before, words['cat'][0])\n"
    )
    for _run in range(2):  # the first run may make the marshal copy; the second reads it
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
        entries, tracked, cat = out.stdout.split(maxsplit=2)
        assert int(entries) > 120_000 and int(tracked) < 100
        assert cat.strip() == "('K', 'AE1', 'T')"


def test_check_json_is_made_again_only_when_its_records_changed(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """save_report compares the records with check.json as read back before it makes any text:
    checking unchanged articles again makes none and writes nothing (counted, not timed)."""
    from publishkit.checks import runner

    paths = [project.article(slug, f"{PLAIN_PARAGRAPH}\n") for slug in ("one", "two")]
    settings = load_settings(project.root)
    existing = {p.stem for p in paths}
    results = run_checks(settings, [load_article(p, settings.limits) for p in paths], TODAY)
    runner.save_report(settings, results, TODAY, existing)
    check_json = project.build / "check.json"
    written = check_json.read_bytes()

    made: list[int] = []
    real = runner.report_text
    monkeypatch.setattr(runner, "report_text", lambda data: made.append(1) or real(data))
    runner.save_report(settings, results, TODAY, existing)  # the same records: nothing to do
    assert made == [] and check_json.read_bytes() == written
    runner.save_report(settings, {"one": results["one"]}, TODAY, existing - {"two"})  # one deleted
    assert made == [1] and list(json.loads(check_json.read_bytes())["articles"]) == ["one"]
    check_json.unlink()
    runner.save_report(settings, results, TODAY, existing)  # no file: written
    assert made == [1, 1] and check_json.read_bytes() == written
