"""An article is read once: every front-matter line number comes from that read, not the file."""

from __future__ import annotations

import pytest
from conftest import Project

from publishkit.errors import RegistryError
from publishkit.model.article import load_article
from publishkit.model.registry import load_registry
from publishkit.model.scaffold import placeholders
from publishkit.model.settings import Limits

TEXT = """\
---
title: Sleep basics
summary: "TODO: say who it is for"
reviewed: 2026-11-01
# reviewer: TODO later (a comment: no output shows it)
disclaimers:
  - not-medical-advice
  - no-such-disclaimer
email:
  subject: Sleep better
---

TODO: Start with the main message.
"""


def test_line_numbers_come_from_the_one_read(project: Project) -> None:
    path = project.source / "sleep.md"
    path.write_text(TEXT, encoding="utf-8")
    article = load_article(path, Limits())
    registry = load_registry(project.source / "disclaimers.yaml")
    path.unlink()  # anything that opens the article again now fails
    assert article.line_of_key("reviewed") == 4
    assert article.line_of_key("email", "subject") == 10
    assert article.line_of_key("disclaimers", 1) == 8
    assert article.line_of_key("email", "missing") == 9  # the deepest part that exists
    assert article.line_of_key("tags") == 2  # absent: the front matter's first line
    assert placeholders(article) == [3, 13]
    with pytest.raises(RegistryError) as err:
        registry.resolve(article)
    assert (err.value.path, err.value.line) == (str(path), 8)
    assert err.value.message.startswith("unknown disclaimer id 'no-such-disclaimer'. Known ids: ")
