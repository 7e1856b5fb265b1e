"""`watch` loads WeasyPrint, its fonts, the templates, the disclaimers and the checks once, at the
start, and every edit reuses them (counted: constructions, not time)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from conftest import EPOCH, Project


def test_the_watcher_loads_once_at_the_start_and_every_edit_reuses_it(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.article("calm", "Rest and drink water. Call us if you feel worse.")
    # Built before the watcher starts, as on most days: its start has nothing to build.
    assert project.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)

    import jinja2
    import weasyprint.text.fonts as fonts

    from publishkit.cli.watch import _warm, rebuild
    from publishkit.pipeline import convert

    made: Counter[str] = Counter()

    class Environment(jinja2.Environment):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made["templates"] += 1
            super().__init__(*args, **kwargs)

    class FontConfiguration(fonts.FontConfiguration):  # type: ignore[misc]
        def __init__(self) -> None:
            made["fonts"] += 1
            super().__init__()

    real_convert = convert._convert_disclaimers

    def counted_convert(*args: Any) -> Any:
        made["disclaimers"] += 1
        return real_convert(*args)

    monkeypatch.setattr(jinja2, "Environment", Environment)
    monkeypatch.setattr(fonts, "FontConfiguration", FontConfiguration)
    monkeypatch.setattr(convert, "_convert_disclaimers", counted_convert)

    assert rebuild(project.root, [], first=True)
    _warm(project.root)
    assert made == {"templates": 1, "fonts": 1, "disclaimers": 1}  # all of it before the first edit

    pdf = project.out("calm", ".pdf")
    for n in range(2):
        before = pdf.read_bytes()
        project.article("calm", f"Rest and drink water. Call us if you feel worse. Edit {n}.")
        assert rebuild(project.root, ["source/calm.md"])
        assert pdf.read_bytes() != before
        assert f"Edit {n}.".encode() in project.out("calm", ".txt").read_bytes()
    assert made == {"templates": 1, "fonts": 1, "disclaimers": 1}  # nothing loaded again
