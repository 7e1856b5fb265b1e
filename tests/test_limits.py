"""Limits on one article: nesting depth, pandoc's time per article, the content check's time and
linear work. Each failure is that article's own clear error; the other articles still build."""

from __future__ import annotations

from typing import Any

import pytest

from publishkit import claims
from publishkit.claims import DEFAULT_CLAIMS, scan


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
