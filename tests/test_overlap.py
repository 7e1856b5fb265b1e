"""A build with checks in one process converts while it checks (pipeline/overlap.py) and lays out
the handout while pandoc writes the other formats; it keeps every promise of the serial build:
an article the checks stop writes nothing and reports as before, a failing pandoc job fails its
article alone, and the bytes are those of ``publish.py all --force``. Counted and injected, never timed."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import EPOCH, Project, make_project
from test_checks import PLAIN_PARAGRAPH, PNG

import publishkit.pipeline.overlap as overlap_mod
from publishkit.errors import format_error
from publishkit.formats import REGISTRY
from publishkit.kit.pandoc import BatchResult, Streamed
from publishkit.model.settings import load_settings
from publishkit.pipeline import chunk, render
from publishkit.pipeline.build import Report, build
from publishkit.pipeline.warm import watch_order


def _lines(report: Report, root: Path) -> dict[str, list[Any]]:
    """Everything a user reads of a build: each outcome, then the errors, warnings and notes."""
    outcomes = [
        (o.slug, o.format, o.status, o.path, o.variant, o.error and format_error(o.error, root))
        for o in report.outcomes
    ]
    kinds = {"errors": report.errors, "warnings": report.warnings, "notes": report.notes}
    return {"outcomes": outcomes, **{k: [format_error(e, root) for e in v] for k, v in kinds.items()}}


def _outputs(project: Project) -> dict[str, bytes]:
    return {
        p.relative_to(project.build).as_posix(): p.read_bytes()
        for p in sorted(project.build.glob("*/*"))
        if p.is_file() and p.parent.name != "_site"
    }


def _build(project: Project, **kw: Any) -> Report:
    return build(load_settings(project.root), watch_order(), jobs=1, checks=True, force=True, **kw)


def _count(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts, by slug, what pandoc converts (``prepare``) and what is rendered (``render_one``)."""
    seen: Counter[str] = Counter()
    real_prepare, real_render = chunk.prepare, render.render_one

    def prepare(settings: Any, registries: Any, tasks: Any, *rest: Any) -> Any:
        seen.update(f"converted {t.article.slug}" for t in tasks)
        return real_prepare(settings, registries, tasks, *rest)

    def render_one(settings: Any, registries: Any, job: Any, *rest: Any) -> Any:
        seen[f"rendered {job.article.slug}"] += 1
        return real_render(settings, registries, job, *rest)

    monkeypatch.setattr(overlap_mod, "prepare", prepare)
    monkeypatch.setattr(chunk, "prepare", prepare)
    monkeypatch.setattr(render, "render_one", render_one)
    return seen


def _both(project: Project, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, ...]:
    """The same build overlapped, then serial (no article converted ahead of the checks)."""
    seen = _count(monkeypatch)
    ahead = _lines(_build(project), project.root)
    outputs = _outputs(project)
    counted = Counter(seen)
    monkeypatch.setattr(overlap_mod, "MOST", 0)
    seen.clear()
    serial = _lines(_build(project), project.root)
    assert _outputs(project) == outputs  # the same bytes either way
    return ahead, serial, counted, Counter(seen)


@pytest.fixture
def stopped(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    """``no-alt`` has a check error (an image without alt text) and what the build warns of (a
    link kept as plain text); ``fine`` builds."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    (project.source / "assets").mkdir(exist_ok=True)
    (project.source / "assets" / "dot.png").write_bytes(PNG)
    body = f"{PLAIN_PARAGRAPH} See [the form](ftp://example.org/form).\n\n![](assets/dot.png)\n"
    project.article("no-alt", body)
    project.article("fine", f"{PLAIN_PARAGRAPH}\n")
    return project


def test_an_article_the_checks_stop_is_converted_ahead_but_never_written_and_reports_as_before(
    stopped: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    ahead, serial, counted, serial_counted = _both(stopped, monkeypatch)
    assert ahead == serial
    n = len(watch_order())
    assert counted == Counter({"converted no-alt": 1, "converted fine": 1, "rendered fine": n})
    assert serial_counted == Counter({"converted fine": 1, "rendered fine": n})
    assert not (stopped.build / "no-alt").exists()
    assert ahead["errors"][0].startswith("Error: check: source/no-alt.md:")
    assert (
        "no-alt",
        watch_order()[0],
        "failed",
        "",
        "",
        ("Error: check: source/no-alt.md: not built: the content check found 1 error (listed above)"),
    ) in ahead["outcomes"]
    # The build's own warning about the stopped article (what reading its body found) is not said.
    assert not any("was kept as plain text" in w for w in ahead["warnings"]), ahead["warnings"]


def test_a_build_warning_of_an_article_that_builds_is_reported_once(
    stopped: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped.article("fine", f"{PLAIN_PARAGRAPH} See [the form](ftp://example.org/form).\n")
    ahead, serial, _c, _s = _both(stopped, monkeypatch)
    assert ahead == serial
    assert sum("source/fine.md" in w and "was kept as plain text" in w for w in ahead["warnings"]) == 1


@pytest.mark.parametrize("first", [True, False])
def test_a_pandoc_time_limit_during_the_overlap_fails_that_article_alone(
    project: Project, monkeypatch: pytest.MonkeyPatch, first: bool
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project.article("a-slow" if first else "z-slow", f"{PLAIN_PARAGRAPH}\n")
    project.article("m-fine", f"Rest today. {PLAIN_PARAGRAPH}\n")
    slow = "a-slow" if first else "z-slow"
    monkeypatch.setenv("PUBLISHKIT_TEST_INJECT", f"pandoc-write:{slow}")
    ahead, serial, counted, _s = _both(project, monkeypatch)
    assert ahead == serial
    assert counted[f"converted {slow}"] == 1  # it was converted ahead of the checks
    failed = {o[0] for o in ahead["outcomes"] if o[2] == "failed"}
    assert failed == {slow}, ahead["outcomes"]
    assert all(
        o[5] and "too complex: pandoc took longer than" in o[5] for o in ahead["outcomes"] if o[2] == "failed"
    )
    assert not (project.build / slow).exists()
    assert {o[0] for o in ahead["outcomes"] if o[2] == "built"} == {"m-fine"}


def test_the_handout_is_laid_out_while_pandoc_still_writes_the_other_formats(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pandoc's answers for the other formats are held back until the handout's render has
    started: a build that waited for the whole batch would hold them for a minute, then fail."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project.article("calm", f"{PLAIN_PARAGRAPH}\n")
    paged = watch_order()[0]
    laying_out = threading.Event()
    held: list[bool] = []
    real_record, real_render = Streamed.record, render.render_one

    def record(self: Streamed, item: dict[str, Any]) -> None:
        if "key" in item and f"\x1f{paged}\x1f" not in item["key"]:
            held.append(laying_out.wait(60))
        real_record(self, item)

    def render_one(settings: Any, registries: Any, job: Any, *rest: Any) -> Any:
        if job.format == paged:
            laying_out.set()
        return real_render(settings, registries, job, *rest)

    monkeypatch.setattr(Streamed, "record", record)
    monkeypatch.setattr(render, "render_one", render_one)
    report = _build(project)
    assert report.ok and held and all(held)
    assert {o.status for o in report.outcomes} == {"built"}


def test_the_overlapped_build_writes_the_bytes_of_all_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "proj", seed=True)
    project.article("calm", f"{PLAIN_PARAGRAPH}\n")
    assert project.run("all", "--force", env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    plain = _outputs(project)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    seen = _count(monkeypatch)
    _build(project)
    assert seen["converted calm"] == 1 and seen["rendered calm"] == len(watch_order())
    assert _outputs(project) == plain


def test_a_streamed_batch_wakes_its_readers_on_an_answer_a_stop_and_the_end() -> None:
    batch = Streamed()
    batch.copies["a"] = ["a2"]
    answers = [
        {"version": "3.1"},
        {"key": "a", "ok": True, "value": "A"},
        {"key": "b", "ok": False, "error": "no"},
    ]
    got: list[tuple[str, ...]] = []

    def reader(keys: list[str]) -> None:
        batch.wait(keys)
        got.append(tuple(sorted({**batch.values, **batch.errors})))

    threads = [threading.Thread(target=reader, args=(keys,)) for keys in (["a2"], ["b"], ["c"], ["d"])]
    for t in threads:
        t.start()
    for item in answers:
        batch.record(item)
    batch.stop("c", "too complex")
    threads[2].join(60)
    assert "c" in batch.stopped and batch.problem("c", "write") == "too complex"
    assert threads[3].is_alive()  # "d" never answered: its reader waits for the end
    batch.close()
    for t in threads:
        t.join(60)
    assert len(got) == 4 and batch.version == "3.1" and batch.values == {"a": "A", "a2": "A"}
    plain = BatchResult("", {}, {})
    plain.wait(["anything"])  # a finished batch never waits


def test_pandoc_writes_the_handouts_first_and_they_are_rendered_first(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the registry's order (``publish.py all``), not only a watcher's, the laid-out formats'
    writes lead the batch and their renders lead the renders."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    project.article("calm", f"{PLAIN_PARAGRAPH}\n")
    project.article("rest", f"Rest today. {PLAIN_PARAGRAPH}\n")
    laid_out = {name for name, fmt in REGISTRY.items() if fmt.offload}
    batches: list[list[str]] = []
    rendered: list[str] = []
    real_write, real_render = overlap_mod.write_many, render.render_one

    def write_many(jobs: list[Any], *args: Any) -> Any:
        batches.append([job.key.split("\x1f")[1] for job in jobs])
        return real_write(jobs, *args)

    def render_one(settings: Any, registries: Any, job: Any, *rest: Any) -> Any:
        rendered.append(job.format)
        return real_render(settings, registries, job, *rest)

    monkeypatch.setattr(overlap_mod, "write_many", write_many)
    monkeypatch.setattr(render, "render_one", render_one)
    report = build(load_settings(project.root), list(REGISTRY), jobs=1, checks=True)
    assert report.ok and len(batches) == 1
    n = 2 * sum(len(REGISTRY[f].needs) for f in laid_out)
    assert set(batches[0][:n]) == laid_out and not set(batches[0][n:]) & laid_out
    m = 2 * len(laid_out)
    assert set(rendered[:m]) == laid_out and not set(rendered[m:]) & laid_out
