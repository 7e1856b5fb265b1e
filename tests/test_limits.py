"""Limits on one article: nesting depth, pandoc's time per article, the content check's time and
linear work. Each failure is that article's own clear error; the other articles still build."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import Project

from publishkit.checks import claims
from publishkit.checks.claims import DEFAULT_CLAIMS, scan
from publishkit.kit import pandoc

BAD = Path(__file__).parent / "bad_inputs"
TOO_DEEP = (
    "too complex: formatting or ::: blocks nested too deeply (the document tree is more than 256 levels deep)"
)
FORMATS = {"all": (".txt", ".email.html", ".eml", ".pdf", ".docx"), "pdf": (".pdf",)}


def _manifest_slugs(proj: Project) -> set[str]:
    data = json.loads((proj.build / "manifest.json").read_text(encoding="utf-8"))
    return {entry["slug"] for entry in data["outputs"]}


def _assert_only_good_built(
    proj: Project,
    result: subprocess.CompletedProcess[str],
    command: str,
    good: tuple[str, ...],
    bad: tuple[str, ...],
) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr, result.stderr
    for slug in good:
        for suffix in FORMATS[command]:
            assert proj.out(slug, suffix).is_file(), (slug, suffix, result.stderr)
    for slug in bad:
        assert not (proj.build / slug).exists()
    assert _manifest_slugs(proj) == set(good)


@pytest.mark.parametrize("command", ["all", "pdf"])
def test_deeply_nested_article_is_refused_alone(project: Project, command: str) -> None:
    """200 nested ** or 400 nested ::: once ended the whole build in a RecursionError."""
    project.article("calm", "Rest and drink water.")
    for case in ("deep-emphasis", "deep-divs"):
        shutil.copy(BAD / f"{case}.md", project.source)
    result = project.run(command, "--jobs", "1")
    if command == "all":  # the check reads with source positions, so it names the line
        expected = [
            f"Error: check: source/deep-divs.md:92: {TOO_DEEP}",
            f"Error: check: source/deep-emphasis.md:7: {TOO_DEEP}",
        ]
    else:
        expected = [
            f"Error: source: source/deep-divs.md: {TOO_DEEP}",
            f"Error: source: source/deep-emphasis.md: {TOO_DEEP}",
        ]
    errors = result.stderr.splitlines()
    assert all(line in errors for line in expected), result.stderr
    _assert_only_good_built(project, result, command, ("calm",), ("deep-divs", "deep-emphasis"))


def _three(proj: Project) -> None:
    # Different words in each: identical bodies would share their pandoc writes.
    proj.article("alpha", "Rest and drink water.")
    proj.article("slow", "Sleep well at night.")
    proj.article("zeta", "Walk a little every day.")


@pytest.mark.parametrize(
    ("command", "point", "expected"),
    [
        ("all", "pandoc-read", "Error: check: source/slow.md: too complex: pandoc took longer than 60 s"),
        ("pdf", "pandoc-read", "Error: source: source/slow.md: too complex: pandoc took longer than 60 s"),
        ("all", "pandoc-write", "Error: render: source/slow.md: too complex: pandoc took longer than 60 s"),
    ],
)
def test_pandoc_time_limit_fails_only_that_article(
    project: Project, command: str, point: str, expected: str
) -> None:
    """One article out of time in a batch of three: the other two are read or written again
    without it. The time limit is injected, so the test does not depend on the machine's speed."""
    _three(project)
    result = project.run(command, "--jobs", "1", env={"PUBLISHKIT_TEST_INJECT": f"{point}:slow"})
    assert expected in result.stderr.splitlines(), result.stderr
    _assert_only_good_built(project, result, command, ("alpha", "zeta"), ("slow",))


def test_pandoc_batch_retries_the_rest_without_the_slow_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """A good batch is one pandoc process; a job out of time costs one more for the jobs after it."""
    started: list[Any] = []
    real_popen = subprocess.Popen

    def counting_popen(argv: list[str], *args: Any, **kwargs: Any) -> Any:
        if argv[1:2] == ["lua"]:  # not pypandoc's own `pandoc --version`
            started.append(argv)
        return real_popen(argv, *args, **kwargs)

    monkeypatch.setattr(pandoc.subprocess, "Popen", counting_popen)
    docs = {"a": "One *a*.", "b": "Two *b*.", "c": "Three *c*."}
    good = pandoc.read_many(docs, 60)
    assert len(started) == 1 and set(good.values) == {"a", "b", "c"} and not good.errors
    monkeypatch.setenv("PUBLISHKIT_TEST_INJECT", "pandoc-read:b")
    started.clear()
    slow = pandoc.read_many(docs, 60)
    assert len(started) == 2
    assert set(slow.values) == {"a", "c"} and slow.values["c"] == good.values["c"]
    assert slow.stopped == {"b"}
    assert slow.problem("b", "read the Markdown") == "too complex: pandoc took longer than 60 s"


def test_content_check_time_limit_fails_only_that_article(project: Project) -> None:
    _three(project)
    result = project.run("all", "--jobs", "1", env={"PUBLISHKIT_TEST_INJECT": "check:slow"})
    # The hook sets the limit to 0.001 s for that article and stalls it: a real SIGALRM fires.
    expected = "Error: check: source/slow.md: too complex: the content check took longer than 0.001 s"
    assert expected in result.stderr.splitlines(), result.stderr
    _assert_only_good_built(project, result, "all", ("alpha", "zeta"), ("slow",))
    # Running out of time is not remembered in build/check.json: the next run checks it again.
    again = project.run("all", "--jobs", "1")
    assert again.returncode == 0, again.stderr
    assert project.out("slow", ".pdf").is_file()


class _CountingPattern:
    """Stands in for claims._SENTENCE and counts the sentence matches read from the text."""

    def __init__(self) -> None:
        self.real = claims._SENTENCE
        self.read = 0

    def finditer(self, text: str) -> Any:
        for m in self.real.finditer(text):
            self.read += 1
            yield m


@pytest.mark.parametrize("n", [500, 1000, 2000])
def test_claims_scan_reads_each_sentence_once(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    """Quoting the sentence of every match once rescanned the text from its start (quadratic:
    a long article of short risky sentences did not finish in 200 s). Now the sentences are
    found once: the work counted grows with the text, not with matches x text."""
    counter = _CountingPattern()
    monkeypatch.setattr(claims, "_SENTENCE", counter)
    text = " ".join(["It is safe.", "Rest well."] * n)
    hits = scan(text, DEFAULT_CLAIMS)
    assert len(hits) == n
    assert [h.sentence for h in hits[:2]] == ["It is safe.", "It is safe."]
    assert counter.read <= 2 * n + 1  # the sentences of the text (and the empty one at its end)
