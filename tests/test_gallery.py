"""The preview gallery (build/index.html) in headless Chromium, its thumbnails cache, its error cards."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import EPOCH, Project
from markupsafe import escape

SHOTS = os.environ.get("PUBLISHKIT_SHOTS")


def _manifest(build: Path) -> list[dict[str, Any]]:
    return list(json.loads((build / "manifest.json").read_text(encoding="utf-8"))["outputs"])


def test_gallery_loads_everything_from_file_urls_only(
    browser: Any, seed_build: Project, tmp_path: Path
) -> None:
    outputs = _manifest(seed_build.build)
    slugs = sorted({o["slug"] for o in outputs})
    page = browser.new_page(viewport={"width": 1920, "height": 1100})
    console: list[str] = []
    failed: list[str] = []
    urls: list[str] = []
    page.on(
        "console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.on("request", lambda r: urls.append(r.url))
    page.goto((seed_build.build / "index.html").as_uri())
    page.wait_for_load_state("load")
    page.wait_for_timeout(1500)  # at least one poll of the reload stamp

    assert console == [] and failed == []
    assert urls and all(u.startswith("file://") for u in urls), [u for u in urls if not u.startswith("file:")]
    assert page.eval_on_selector_all("article.card", "els => els.map(e => e.id)") == slugs

    # One thumbnail per PDF page, each decoded by the browser once it is scrolled to: the
    # pictures and the email frames load lazily (a 500-article page has 1,000 frames).
    lazy = "els => els.map(e => e.getAttribute('loading'))"
    assert set(page.eval_on_selector_all(".pages img, iframe", lazy)) == {"lazy"}
    for img in page.locator(".pages img").all():
        img.scroll_into_view_if_needed()
        img.evaluate("e => e.decode()")
    widths = page.eval_on_selector_all(".pages img", "els => els.map(e => e.naturalWidth)")
    assert len(widths) == sum(o["pages"] for o in outputs if o["format"] == "pdf")
    assert all(w > 0 for w in widths)

    # Each email frame at 375 and 600 px shows its article (the email's h1 is the article title).
    for slug in slugs:
        card = page.locator(f"article#{slug}")
        title = card.locator("h2").inner_text()
        frames = card.locator("iframe")
        assert frames.count() == 2
        for i, width in enumerate((377, 602)):
            frames.nth(i).scroll_into_view_if_needed()
            handle = frames.nth(i).element_handle()
            assert handle.evaluate("e => e.getBoundingClientRect().width") == width
            frame = handle.content_frame()
            assert frame is not None
            frame.wait_for_load_state("load")
            assert frame.evaluate("document.querySelector('h1').textContent.trim()") == title

    # The matrix ticks exactly what the manifest proves: one tick per (output, disclaimer).
    ticks = page.locator("td.cell.yes").count()
    assert ticks == sum(len(o["disclaimers"]) for o in outputs)
    assert page.locator("td.cell.no").count() == 0
    text = page.locator("article#sleep-basics pre.text").inner_text()
    assert text.rstrip("\n") == (seed_build.build / "sleep-basics" / "sleep-basics.txt").read_text(
        encoding="utf-8"
    ).rstrip("\n")
    assert "Reading grade" in page.locator("article#ketamine-neurobiology").inner_text()

    shots = Path(SHOTS) if SHOTS else tmp_path
    page.screenshot(path=str(shots / "gallery.png"))
    page.locator("article#ketamine-neurobiology iframe").first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "gallery-email.png"))
    page.close()


def test_gallery_reloads_itself_when_a_build_changes_it(
    browser: Any, seed_build: Project, tmp_path: Path
) -> None:
    build = tmp_path / "build"
    shutil.copytree(seed_build.build, build)
    page = browser.new_page()
    page.goto((build / "index.html").as_uri())
    page.evaluate("window.beforeReload = 1")
    page.wait_for_timeout(1300)
    assert page.evaluate("window.beforeReload") == 1  # same stamp: no reload
    with page.expect_event("load", timeout=5000):  # the page polls the stamp every second
        (build / "_gallery" / "stamp.js").write_text(
            'window.publishkitStamp = "changed";\n', encoding="utf-8"
        )
    assert page.evaluate("window.beforeReload") is None
    page.close()


def test_a_build_with_nothing_changed_keeps_the_thumbnails(seed_build: Project) -> None:
    thumbs = sorted((seed_build.build / "_gallery").glob("*.png"))
    # two pages: the language-access taglines have the second to themselves
    assert [p.name for p in thumbs if p.name.startswith("sleep-basics")] == [
        "sleep-basics-p1.png",
        "sleep-basics-p2.png",
    ]
    before = {p: p.stat().st_mtime_ns for p in [*thumbs, seed_build.build / "index.html"]}
    result = seed_build.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    assert {p: p.stat().st_mtime_ns for p in before} == before

    # A missing thumbnail is made again, byte for byte.
    lost = thumbs[0]
    data = lost.read_bytes()
    lost.unlink()
    assert seed_build.run("text", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    assert lost.read_bytes() == data

    # Previews are not synced to disk: one cut short (as by a crash) is found by its size and made again.
    cut = thumbs[-1]
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    assert seed_build.run("text", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    assert cut.read_bytes() == data


def test_previews_are_written_without_fsync_and_everything_else_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publishkit.kit import fsutil

    synced: list[int] = []
    monkeypatch.setattr(fsutil.os, "fsync", synced.append)
    fsutil.write_atomic(tmp_path / "a.png", b"x", durable=False)
    assert synced == [] and (tmp_path / "a.png").read_bytes() == b"x"
    fsutil.write_atomic(tmp_path / "a.json", b"y")
    assert len(synced) == 2  # the file, then its folder


def test_gallery_shows_errors_and_escapes_everything(project: Project) -> None:
    project.article(
        "good", "Drink water every day and rest when you feel tired.", title='"A <b>bold</b> & brave title"'
    )
    project.write("source/bad.md", "---\ntitle: [broken\n---\n\nText.\n")
    result = project.run("text", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 1
    html = (project.build / "index.html").read_text(encoding="utf-8")
    assert "A &lt;b&gt;bold&lt;/b&gt; &amp; brave title" in html
    assert "<b>bold</b>" not in html
    error = next(
        line for line in result.stderr.splitlines() if line.startswith("Error: source: source/bad.md")
    )
    assert str(escape(error)) in html  # the same words as the command line
    assert 'class="card failed" id="bad"' in html
    assert "No PDF yet." in html  # only the text was built
    assert 'href="good/good.txt"' in html and "good.pdf" not in html
