"""A watch rebuild reads again only the files that changed (counted, never timed), picks up every
change to the settings, the registry and the templates, renders the handout first, and writes the
same bytes as ``publish.py all``."""

from __future__ import annotations

import os
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import EPOCH, Project, make_project
from test_shard import _tree

import publishkit.model.manifest as manifest_mod
import publishkit.model.registry as registry_mod
import publishkit.model.settings as settings_mod
import publishkit.pipeline.remember as remember_mod
from publishkit.checks import runner
from publishkit.cli.watch import rebuild
from publishkit.formats import REGISTRY
from publishkit.pipeline import finish, render
from publishkit.pipeline.warm import watch_order
from publishkit.site import thumbs

ENV = {"SOURCE_DATE_EPOCH": EPOCH}


def _age(root: Path) -> None:
    """Every file as if last edited a minute ago (a recent file's stat is not trusted: statmemo)."""
    old = time.time() - 60
    for p in [root / "pyproject.toml", *root.glob("source/**/*"), *root.glob("templates/**/*")]:
        os.utime(p, (old, old))


def _started(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    project.article("calm", "Rest and drink water. Call us if you feel worse.")
    project.article("other", "Walk a little every day. Ask us about your plan.")
    assert project.run("all", "--jobs", "1", env=ENV).returncode == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    _age(project.root)
    assert rebuild(project.root, [], first=True)


def _edit(project: Project, n: int) -> None:
    project.article("calm", f"Rest and drink water. Call us if you feel worse. Edit {n}.")
    assert rebuild(project.root, ["source/calm.md"])


def _count(monkeypatch: pytest.MonkeyPatch, made: Counter[str], module: Any, name: str) -> None:
    real = getattr(module, name)

    def counted(*args: Any) -> Any:
        made[name] += 1
        return real(*args)

    monkeypatch.setattr(module, name, counted)


def test_an_edit_reads_no_settings_registry_manifest_or_record_that_did_not_change(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    _started(project, monkeypatch)
    _edit(project, 0)  # writes the manifest and the records, which this process then knows
    read: Counter[str] = Counter()
    for module, name in (
        (settings_mod, "_load_settings"),
        (registry_mod, "_load_registry"),
        (manifest_mod, "_read_manifest"),
        (runner, "_parse_report"),  # build/check.json: the content checks' results
        (remember_mod, "_read_records"),  # build/.sources: what was read of each article
    ):
        _count(monkeypatch, read, module, name)
    thumbs.RENDERED.clear()
    for n in (1, 2):
        _edit(project, n)
        assert f"Edit {n}.".encode() in project.out("calm", ".txt").read_bytes()
    assert read == Counter()
    # The gallery pictures the edited handout again, and no other.
    assert {Path(p).parent.name for p in thumbs.RENDERED} == {"calm"}
    # A file written by another process (another inode) is read again.
    for name in ("manifest.json", "check.json", ".sources.json"):
        path = project.build / name
        data = path.read_bytes()
        path.unlink()
        path.write_bytes(data)
        old = time.time() - 60  # not written just now: its stat is trusted from the first read
        os.utime(path, (old, old))
    _edit(project, 3)
    assert read == Counter({"_read_manifest": 1, "_parse_report": 1, "_read_records": 1})


@pytest.mark.parametrize(
    ("rel", "old", "new", "suffix"),
    [
        ("pyproject.toml", 'phone = "(503) 555-0142"', 'phone = "(503) 555-0199"', ".txt"),
        ("source/disclaimers.yaml", "General information only", "General facts only", ".pdf"),
        ("templates/text.txt.j2", "{{ summary }}", "{{ summary }} (summary)", ".txt"),
        ("source/taglines.yaml", "ATENCIÓN: si habla", "ATENCIÓN: Si usted habla", ".txt"),
    ],
)
def test_a_change_to_the_settings_registry_or_a_template_is_picked_up(
    project: Project, monkeypatch: pytest.MonkeyPatch, rel: str, old: str, new: str, suffix: str
) -> None:
    _started(project, monkeypatch)
    _edit(project, 0)  # everything read so far is remembered (the files are a minute old)
    before = {slug: project.out(slug, suffix).read_bytes() for slug in ("calm", "other")}
    path = project.root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    assert rebuild(project.root, [rel])
    for slug in ("calm", "other"):
        assert project.out(slug, suffix).read_bytes() != before[slug], slug


def test_a_watch_rebuild_writes_the_bytes_of_publish_all(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _started(project, monkeypatch)
    written: list[str] = []
    for module in (render, runner):
        real = module.write_atomic
        monkeypatch.setattr(
            module, "write_atomic", lambda p, data, w=real: (written.append(p.name), w(p, data))
        )
    sweep = finish.remove_stale_temps
    monkeypatch.setattr(finish, "remove_stale_temps", lambda d: (written.append("sweep"), sweep(d))[1])
    for n in (0, 1):
        _edit(project, n)
    # The handout (the format laid out in pages, with fonts) is written first; what costs the
    # whole catalog comes after every output: the sweep of build/ for a killed build's temporary
    # files, and the content checks' record (check.json, a line per article).
    first = watch_order()[0]
    assert REGISTRY[first].fonts and sorted(watch_order()) == sorted(REGISTRY)
    assert written[0] == written[7] == f"calm{REGISTRY[first].suffix}"
    assert written[5:7] == written[12:14] == ["sweep", "check.json"] and len(written) == 14
    fresh = make_project(tmp_path / "fresh")
    shutil.rmtree(fresh.source)
    shutil.copytree(project.source, fresh.source)
    assert fresh.run("all", "--jobs", "1", env=ENV).returncode == 0
    assert _tree(project.build) == _tree(fresh.build)


def test_the_watcher_yields_a_save_after_20_ms_of_quiet(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """watchfiles waits ``step`` ms of quiet before it yields a save: that wait is part of every
    edit's time (``debounce`` only caps a long burst of changes)."""
    import argparse

    import watchfiles

    from publishkit.cli import watch

    asked: dict[str, Any] = {}

    def fake_watch(*folders: Path, **options: Any) -> list[set[tuple[Any, str]]]:
        asked.update(options)
        return []

    monkeypatch.setattr(watchfiles, "watch", fake_watch)
    monkeypatch.setattr(watch, "_warm", lambda root: None)
    assert watch.run(argparse.Namespace(strict=False), project.root) == 0
    assert (asked["step"], asked["debounce"]) == (20, 300)


def test_what_the_watcher_loaded_is_kept_out_of_later_collections(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection walks every object not frozen: the warm ones would cost 0.19 s each time."""
    import gc

    from publishkit.cli.watch import _warm

    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(len(gc.get_objects())))
    frozen: list[int] = []
    _warm(project.root)
    assert len(frozen) == 1 and frozen[0] > 100_000  # WeasyPrint, the fonts, the templates...


def test_a_file_edited_in_the_last_two_seconds_is_read_again(tmp_path: Path) -> None:
    """Two writes in one clock tick of the file system can leave size and mtime as they were: a
    recent file is never answered from memory; an older one is, until its stat changes."""
    from publishkit.kit.statmemo import StatMemo

    path = tmp_path / "settings.toml"
    path.write_text("a = 1\n", encoding="utf-8")
    memo: StatMemo[str] = StatMemo()
    reads: list[str] = []

    def read() -> str:
        reads.append(path.read_text(encoding="utf-8"))
        return reads[-1]

    assert [memo.get("k", [path], read) for _ in range(2)] == ["a = 1\n"] * 2
    assert len(reads) == 2  # just written: read each time
    old = time.time() - 10
    os.utime(path, (old, old))
    assert [memo.get("k", [path], read) for _ in range(2)] == ["a = 1\n"] * 2
    assert len(reads) == 3  # ten seconds old: read once more, then remembered
    path.write_text("a = 2\n", encoding="utf-8")  # the same size, a new mtime
    assert memo.get("k", [path], read) == "a = 2\n"


def test_a_save_during_the_first_build_or_the_warm_up_is_built(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """watchfiles only reports what is saved once it watches: the warm-up takes seconds."""
    import argparse

    import watchfiles

    from publishkit.cli import watch

    project.article("calm", "Rest and drink water.")
    assert project.run("all", "--jobs", "1", env=ENV).returncode == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(watchfiles, "watch", lambda *folders, **options: [])
    monkeypatch.setattr(watch, "_warm", lambda root: project.article("calm", "Saved while warming up."))
    assert watch.run(argparse.Namespace(strict=False), project.root) == 0
    assert b"Saved while warming up." in project.out("calm", ".txt").read_bytes()


def test_an_edit_to_an_article_rebuilds_that_article_alone_and_anything_else_everything(
    project: Project, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cost of an edit follows the edit, not the catalog: only the saved article is planned
    (its keys, its check); the gallery and the manifest still list every article."""
    _started(project, monkeypatch)
    capsys.readouterr()
    _edit(project, 1)
    assert " source/calm.md: 5 built, 0 up to date, 0 failed (" in capsys.readouterr().out
    project.article("fresh", "A new article saved while watching. Call us with questions.")
    assert rebuild(project.root, ["source/fresh.md"])
    assert " source/fresh.md: 5 built, 0 up to date, 0 failed (" in capsys.readouterr().out
    gallery = (project.build / "index.html").read_text(encoding="utf-8")
    assert all(f'id="{slug}"' in gallery for slug in ("calm", "other", "fresh"))
    # A deleted article, the registry, a template: every article is planned again.
    (project.source / "fresh.md").unlink()
    assert rebuild(project.root, ["source/fresh.md"])
    assert " source/fresh.md: 0 built, 10 up to date, 0 failed (" in capsys.readouterr().out
    manifest = (project.build / "manifest.json").read_text(encoding="utf-8")
    assert '"fresh"' not in manifest and '"other"' in manifest


def test_an_edit_renders_the_gallery_card_of_that_article_alone(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from publishkit.site import cards

    _started(project, monkeypatch)
    _edit(project, 1)
    cards.RENDERED.clear()
    _edit(project, 2)
    assert cards.RENDERED == ["calm"]
    page = (project.build / "index.html").read_text(encoding="utf-8")
    assert "Edit 2." in page and 'id="other"' in page
    # A new gallery template renders every card again.
    template = project.root / "templates" / "gallery.html.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(
        text.replace('<span class="slug">', '<span class="slug" data-x="1">', 1), encoding="utf-8"
    )
    cards.RENDERED.clear()
    assert rebuild(project.root, ["templates/gallery.html.j2"])
    assert sorted(cards.RENDERED) == ["calm", "other"]
    assert (project.build / "index.html").read_text(encoding="utf-8").count('data-x="1"') == 2
