"""build/.sources.json: a build reads only the article files whose stat changed (counted, not timed)."""

from __future__ import annotations

import json
import os
import pickle
import time
from pathlib import Path

import pytest
from conftest import EPOCH, Project, make_project, run_probe

from publishkit.model.remembered import RememberedArticle, asset_tails
from publishkit.model.settings import load_settings
from publishkit.pipeline.remember import SOURCES_JSON, SourceCache

# Every file this build opens whose name ends in .md (an audit hook sees every open, however the
# code opens it: open(), Path.read_text, os.open beneath a folder descriptor), and which processes
# it starts (pandoc for the checks and conversions, none when nothing is to be done).
PROBE = """
import json, subprocess, sys
from pathlib import Path
opened = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes)) and str(args[0]).endswith(".md"):
        opened.append(Path(str(args[0])).name)
sys.addaudithook(hook)
calls = []
real_run = subprocess.run
def spy(*args, **kwargs):
    calls.append(str(args[0][0]))
    return real_run(*args, **kwargs)
subprocess.run = spy
from publishkit.cli.main import main
jobs = [] if sys.argv[2] == "check" else ["--jobs", "1"]
rc = main([*sys.argv[2:], "--quiet", *jobs], root=Path(sys.argv[1]))
heavy = [m for m in HEAVY if m in sys.modules]
thumbs = sys.modules.get("publishkit.site.thumbs")
rendered = thumbs.RENDERED if thumbs else []
print(json.dumps({"rc": rc, "opened": sorted(set(opened)), "processes": calls, "heavy": heavy, "thumbs": rendered}))
"""
# Imported only by the processes and commands that use them.
HEAVY = ("weasyprint", "textstat", "nltk", "pypdfium2", "PIL", "docx", "css_inline", "jinja2", "email")
PROBE = f"HEAVY = {HEAVY!r}\n" + PROBE

N = 30
HOUR_AGO = time.time() - 3600


def _probe(proj: Project, *args: str) -> dict[str, object]:
    return run_probe(PROBE, proj.root, *args)


def _age(path: Path, when: float = HOUR_AGO) -> None:
    """As if saved an hour ago: a file saved just now is read again next time (see RACY_NS)."""
    os.utime(path, (when, when))


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("sources") / "proj")
    for i in range(N):
        _age(proj.article(f"article-{i:02d}", f"Paragraph {i} for the reader.\n"))
    result = proj.run("all", "--jobs", "2", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    return proj


IDLE = {"rc": 0, "opened": [], "processes": [], "heavy": [], "thumbs": []}


def test_nothing_changed_reads_no_article_checks_nothing_and_imports_nothing_heavy(catalog: Project) -> None:
    gallery = [catalog.build / "index.html", *sorted((catalog.build / "_gallery").iterdir())]
    before = {p: p.stat().st_mtime_ns for p in gallery}
    assert _probe(catalog, "all") == IDLE
    assert {p: p.stat().st_mtime_ns for p in gallery} == before  # the gallery was not even rendered


def test_check_with_nothing_changed_reads_no_article_and_runs_no_check(catalog: Project) -> None:
    checked = (catalog.build / "check.json").read_bytes()
    assert _probe(catalog, "check") == IDLE
    assert (catalog.build / "check.json").read_bytes() == checked
    assert _probe(catalog, "all") == IDLE  # and the build after it still has every record


def test_after_editing_one_exactly_that_one_is_read_and_rebuilt(catalog: Project) -> None:
    path = catalog.article("article-07", "An edited paragraph for the reader.\n")
    _age(path, HOUR_AGO + 60)
    before = catalog.out("article-07", ".txt").read_bytes()
    stamp = (catalog.build / "_gallery" / "stamp.js").read_bytes()
    report = _probe(catalog, "all")
    assert report["rc"] == 0 and report["opened"] == ["article-07.md"]
    assert catalog.out("article-07", ".txt").read_bytes() != before
    assert b"edited paragraph" in catalog.out("article-07", ".txt").read_bytes()
    # The checks, the formats and the gallery's previews ran for that article alone.
    assert report["thumbs"] == ["article-07/article-07.pdf"]
    assert sorted(report["heavy"]) == sorted(HEAVY)  # type: ignore[arg-type]
    assert (catalog.build / "_gallery" / "stamp.js").read_bytes() != stamp
    assert _probe(catalog, "all") == IDLE


def test_force_reads_nothing_again_but_rebuilds_everything(catalog: Project) -> None:
    result = catalog.run("text", "--force", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("built ") >= N


def test_an_output_edited_by_hand_is_rebuilt_without_reading_its_article(catalog: Project) -> None:
    out = catalog.out("article-03", ".txt")
    good = out.read_bytes()
    out.write_bytes(good.replace(b"Paragraph 3", b"Paragraph X"))
    report = _probe(catalog, "text")
    assert report["rc"] == 0
    assert out.read_bytes() == good
    # Rendering needs the text: that one article is read, no other.
    assert report["opened"] == ["article-03.md"]


def test_a_file_saved_just_now_is_read_again_next_time(project: Project) -> None:
    project.article("fresh")  # mtime: now
    settings = load_settings(project.root)
    project.build.mkdir()
    first = SourceCache(settings)
    first.load(project.source / "fresh.md")
    first.save({"fresh"})
    record = json.loads((project.build / SOURCES_JSON).read_text(encoding="utf-8"))
    assert record["articles"]["fresh"]["stat"] is None  # within the clock's tick: not trusted
    again = SourceCache(settings)
    assert not isinstance(again.load(project.source / "fresh.md"), RememberedArticle)
    assert again.reads == 1


def test_a_remembered_article_gives_the_same_answers_and_reads_its_body_only_when_asked(
    project: Project,
) -> None:
    path = project.article("pics", "See ![a](assets/a.png) and assets/b.png.bak here.\n", disclaimers="[]")
    _age(path)
    settings = load_settings(project.root)
    project.build.mkdir()
    first = SourceCache(settings)
    real = first.load(path)
    first.save({"pics"})
    second = SourceCache(settings)
    known = second.load(path)
    assert isinstance(known, RememberedArticle) and second.reads == 0
    assert (known.meta, known.sha256, known.body_line) == (real.meta, real.sha256, real.body_line)
    assert [known.mentions(f"assets/{n}") for n in ("a.png", "b.png", "b.png.bak", "c.png", "a")] == [
        True,
        True,
        True,
        False,
        True,
    ]
    assert known.__dict__["_body"] is None
    sent = pickle.loads(pickle.dumps(known))  # as a worker process receives it
    assert sent == known and sent.__dict__["_body"] is None
    assert known.body == real.body == sent.body  # read now, checked against the remembered sha256


def test_asset_tails_find_overlapping_names() -> None:
    assert asset_tails("x assets/assets/y.png") == ["assets/y.png", "y.png"]


def test_the_gallery_stamp_covers_every_field_of_a_card() -> None:
    """A field added to Card and shown on the page must change the stamp, or an edit to it
    would leave the old page in place (the gallery is not rendered while its stamp holds)."""
    from dataclasses import fields

    from publishkit.site.gallery import Card
    from publishkit.site.stamp import SHOWN

    made_from_outputs = {"outputs", "text", "thumbs", "thumb_note"}
    worked_out_ahead = {"stamp_row", "key", "previewed"}  # of the fields above: not shown
    assert set(SHOWN) | made_from_outputs | worked_out_ahead == {f.name for f in fields(Card)}


def test_a_cards_key_changes_with_everything_its_html_is_made_from() -> None:
    """A card is rendered again only when its key changes: its shown fields, each output's path,
    hash, size, build time and disclaimers, and its page pictures all count."""
    from dataclasses import replace

    from publishkit.model.manifest import ManifestEntry
    from publishkit.site.cards import card_key
    from publishkit.site.gallery import Card
    from publishkit.site.stamp import stamp_row

    entry = ManifestEntry("a/a.pdf", "a", "pdf", "1" * 64, 100, ("x",), "r", "s", "t", "k", "2026-11-15")

    def card(**change: object) -> Card:
        made = Card(slug="a", title="A title", outputs={"pdf": entry}, thumbs=["_gallery/a-p1.png"])
        for name, value in change.items():
            setattr(made, name, value)
        return made

    base = card_key(card())
    assert card_key(card()) == base
    changed = [
        card(title="Another title"),
        card(check={"review": {}, "readability": {}}),
        card(outputs={"pdf": replace(entry, bytes=101)}),
        card(outputs={"pdf": replace(entry, sha256="2" * 64)}),
        card(outputs={"pdf": replace(entry, built_at="2026-11-16")}),
        card(outputs={"pdf": replace(entry, disclaimers=("x", "y"))}),
        card(outputs={"pdf": replace(entry, path="a/b.pdf")}),
        card(thumbs=["_gallery/a-p1.png", "_gallery/a-p2.png"]),
        card(thumb_note="no page previews: broken"),
    ]
    keys = [card_key(c) for c in changed]
    assert base not in keys and len(set(keys)) == len(keys)
    # A row worked out ahead is the card's own: the same key.
    ahead = card()
    ahead.stamp_row = stamp_row(ahead)
    assert card_key(ahead) == base


def test_what_the_gallery_reads_is_remembered_too(project: Project) -> None:
    """A one-article build whose records were lost (a new publishkit forgets them all) reads the
    other articles for the gallery: those records are kept, so the next build reads only its one."""
    for i in range(4):
        _age(project.article(f"article-{i}", f"Paragraph {i} for the reader.\n"))
    assert project.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    (project.build / SOURCES_JSON).unlink()
    first = _probe(project, "all", "article-1", "--force")
    assert first["rc"] == 0 and first["opened"] == [f"article-{i}.md" for i in range(4)]
    again = _probe(project, "all", "article-1", "--force")
    assert again["rc"] == 0 and again["opened"] == ["article-1.md"]


def test_records_are_written_only_when_they_changed(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``save`` compares the records, as read or last written, before it makes any text: a build
    that loaded every article from its record writes nothing (counted, not timed)."""
    from publishkit.pipeline import remember

    for i in range(3):
        _age(project.article(f"article-{i}", f"Paragraph {i} for the reader.\n"))
    settings = load_settings(project.root)
    project.build.mkdir()
    paths = sorted(project.source.glob("article-*.md"))
    existing = {p.stem for p in paths}
    first = SourceCache(settings)
    for path in paths:
        first.load(path)
    first.save(existing)
    written = (project.build / SOURCES_JSON).read_bytes()

    made: list[int] = []
    real_outline = remember.outline
    monkeypatch.setattr(remember, "outline", lambda *a, **k: made.append(1) or real_outline(*a, **k))
    first.save(existing)  # what it wrote: nothing to do
    again = SourceCache(settings)
    for path in paths:
        assert isinstance(again.load(path), RememberedArticle)
    again.save(existing)  # what it read: nothing to do
    assert made == [] and (project.build / SOURCES_JSON).read_bytes() == written

    _age(project.article("article-1", "Another paragraph.\n"))  # changed: written
    again.load(project.source / "article-1.md")
    again.save(existing)
    assert made == [1] and b"Another paragraph" not in written
    assert SourceCache(settings).records["article-1"] == again.records["article-1"]
    again.save(existing - {"article-2"})  # an article deleted: written
    assert made == [1, 1] and "article-2" not in SourceCache(settings).records


def test_the_gallery_stamp_tells_rows_apart_however_they_are_split() -> None:
    """The page's stamp hashes the cards' rows one a line: moving text from one card's row to the
    next, or a card more or less, gives another stamp."""
    from types import SimpleNamespace

    from publishkit.model.settings import Settings
    from publishkit.site.stamp import page_stamp

    settings = Settings(root=Path("/nonexistent"))

    def stamp(*rows: str) -> str:
        return page_stamp(settings, [SimpleNamespace(stamp_row=r) for r in rows], "gallery.html.j2")

    stamps = [stamp('["a"]', '["b"]'), stamp('["a"]["b"]'), stamp('["a"]'), stamp('["b"]', '["a"]'), stamp()]
    assert len(set(stamps)) == len(stamps)
    assert stamp('["a"]', '["b"]') == stamps[0]
