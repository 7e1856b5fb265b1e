"""The check registry: a check registered from outside the package runs in `publish.py check`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from conftest import EPOCH, Project

from publishkit import checks
from publishkit.checks import Check, Content, Finding, register, registry, unregister
from publishkit.checks.base import WARNING
from publishkit.cli.main import main

SHOUT = "a line in capital letters shouts at the reader; write it in ordinary case"


class Shouting(Check):
    """A check of the tests' own: lines written all in capitals."""

    name = "shouting"

    def content(self, c: Content) -> list[Finding]:
        lines = enumerate(c.article.body.split("\n"), c.article.body_line)
        return [Finding(WARNING, self.name, n, SHOUT) for n, line in lines if line.isupper()]


@pytest.fixture
def shouting() -> Iterator[Check]:
    check = register(Shouting())
    yield check
    unregister(check.name)


def test_builtin_checks_are_registered_by_name() -> None:
    assert list(registry()) == ["readability", "claims", "structure", "placeholder", "review", "translation"]


def test_a_check_registered_twice_is_refused(shouting: Check) -> None:
    with pytest.raises(ValueError) as err:
        checks.register(Shouting())
    assert str(err.value) == "check 'shouting' is registered twice"


def test_an_added_check_reports_through_publish_check(
    project: Project, shouting: Check, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    opening = "Drink water when you wake up. Eat fruit with lunch. Take a short walk after dinner."
    project.article("loud", f"{opening}\n\nCALL US NOW.\n")
    assert main(["check", "--quiet"], root=project.root) == 0
    err = capsys.readouterr().err
    assert f"Warning: check: source/loud.md:9: {SHOUT}" in err.splitlines()
    saved = json.loads((project.build / "check.json").read_text(encoding="utf-8"))
    assert [f["check"] for f in saved["articles"]["loud"]["findings"]] == ["shouting"]
    # Taken away again, the check's cached finding is not reused: the content key names the checks.
    unregister(shouting.name)
    assert main(["check", "--quiet"], root=project.root) == 0
    assert SHOUT not in capsys.readouterr().err
