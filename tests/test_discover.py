"""Which files in source/ are articles, and the listing remembered while the folder is unchanged."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from publishkit.errors import SourceError
from publishkit.model.settings import Settings
from publishkit.pipeline import sources
from publishkit.pipeline.sources import discover

HOUR_AGO = time.time() - 3600


def _names(settings: Settings) -> list[str]:
    return [p.name for p in discover(settings)]


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders really listed (not answered from memory) from now on."""
    listed: list[Path] = []
    real = sources._listing

    def spy(src: Path) -> list[Path]:
        listed.append(src)
        return real(src)

    monkeypatch.setattr(sources, "_listing", spy)
    return listed


def test_articles_are_the_md_files_originals_before_their_translations(tmp_path: Path) -> None:
    src = tmp_path / "source"
    src.mkdir()
    for name in ("b.md", "a.es.md", "a.md", "notes.txt", "UPPER.MD", ".hidden.md"):
        (src / name).write_text("x", encoding="utf-8")
    (src / "folder.md").mkdir()  # a folder is not an article
    (src / "linked.md").symlink_to(tmp_path / "nowhere.md")  # listed, so loading it says why
    settings = Settings(root=tmp_path)
    assert _names(settings) == [".hidden.md", "a.md", "a.es.md", "b.md", "linked.md"]
    assert all(p.parent == settings.source_dir for p in discover(settings))


def test_a_missing_source_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="the source folder source/ does not exist"):
        discover(Settings(root=tmp_path))


def test_the_listing_is_remembered_until_a_name_in_the_folder_changes(
    tmp_path: Path, listings: list[Path]
) -> None:
    src = tmp_path / "source"
    src.mkdir()
    (src / "a.md").write_text("x", encoding="utf-8")
    settings = Settings(root=tmp_path)
    os.utime(src, (HOUR_AGO, HOUR_AGO))  # a folder changed just now is listed again every time
    assert _names(settings) == ["a.md"] and _names(settings) == ["a.md"]
    assert len(listings) == 1
    first = discover(settings)
    first.append(src / "mine.md")  # a caller's list is its own
    assert _names(settings) == ["a.md"] and len(listings) == 1

    (src / "b.md").write_text("x", encoding="utf-8")  # the folder's stat changes with its names
    assert _names(settings) == ["a.md", "b.md"]
    os.utime(src, (HOUR_AGO, HOUR_AGO))
    (src / "a.md").rename(src / "c.md")
    assert _names(settings) == ["b.md", "c.md"]
    (src / "b.md").unlink()
    assert _names(settings) == ["c.md"]
    assert len(listings) == 4
