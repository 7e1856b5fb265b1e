"""The build's record files: outlined JSON reads back as written, one record a line."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError

import pytest
from conftest import Project

from publishkit.kit.jsonfile import outline

VALUE = {
    "schema": 2,
    "b": [],
    "outputs": [{"z": 1, "a": ["x", {"k": "é"}]}, {"a": None, "n": 1.5e-05}],
    "empty": {},
    "a": {"y": True, "x": "Ω"},
}


def test_outline_reads_back_as_the_same_value() -> None:
    for depth in range(4):
        for sort_keys in (False, True):
            assert json.loads(outline(VALUE, depth, sort_keys=sort_keys)) == VALUE


def test_outline_puts_each_record_on_one_line() -> None:
    text = outline(VALUE, 2, sort_keys=True)
    assert text.splitlines() == [
        "{",
        '  "a": {',
        '    "x": "Ω",',
        '    "y": true',
        "  },",
        '  "b": [],',
        '  "empty": {},',
        '  "outputs": [',
        '    {"a": ["x", {"k": "é"}], "z": 1},',
        '    {"a": null, "n": 1.5e-05}',
        "  ],",
        '  "schema": 2',
        "}",
    ]
    assert outline(VALUE, 0) == json.dumps(VALUE, ensure_ascii=False) + "\n"


def test_the_manifest_and_check_results_list_one_output_and_one_article_a_line(seed_build: Project) -> None:
    manifest = (seed_build.build / "manifest.json").read_text(encoding="utf-8").splitlines()
    outputs = json.loads("\n".join(manifest))["outputs"]
    assert [json.loads(line.strip().rstrip(",")) for line in manifest if line.startswith('    {"')] == outputs
    checks = (seed_build.build / "check.json").read_text(encoding="utf-8").splitlines()
    articles = json.loads("\n".join(checks))["articles"]
    shown: dict[str, object] = {}
    for line in checks:
        if line.startswith('    "'):  # a member of "totals" or one whole article
            shown.update(json.loads("{" + line.strip().rstrip(",") + "}"))
    assert {k: v for k, v in shown.items() if k in articles} == articles


def test_a_manifest_entry_as_json_has_every_field_as_asdict_gives_it() -> None:
    from dataclasses import asdict

    from publishkit.model.manifest import ManifestEntry

    entry = ManifestEntry(
        "a/a.pdf",
        "a",
        "pdf",
        "s" * 64,
        10,
        ("x", "y"),
        "r",
        "src",
        "t",
        "k",
        "2026-11-15",
        {"pandoc": "3.9"},
        3,
    )
    data = entry.to_json()
    assert data == {**asdict(entry), "disclaimers": ["x", "y"]} and list(data) == list(asdict(entry))
    assert data["versions"] is not entry.versions  # a copy: the entry stays as it was
    assert ManifestEntry.from_json(json.loads(json.dumps(data))) == entry


def test_a_manifest_entry_read_fast_is_the_one_the_class_makes() -> None:
    """from_json fills an entry of every field in directly: it must equal the class's own, and a
    partial or odd record still goes through the class (its defaults, its TypeError)."""
    from publishkit.model.manifest import ManifestEntry

    entry = ManifestEntry("a/a.pdf", "a", "pdf", "s" * 64, 10, ("x",), "r", "src", "t", "k", "2026-11-15")
    whole = json.loads(json.dumps(entry.to_json()))
    fast = ManifestEntry.from_json(whole)
    assert fast == entry and type(fast.disclaimers) is tuple and fast.versions == {}
    with pytest.raises(FrozenInstanceError):
        fast.path = "b"  # type: ignore[misc]
    older = {k: v for k, v in whole.items() if k not in ("approved", "approval", "edition")}
    assert ManifestEntry.from_json(older) == entry  # the class's defaults
    assert ManifestEntry.from_json({**whole, "later": 1}) == entry  # an unknown field is left out
    assert not hasattr(ManifestEntry.from_json({**whole, "later": 1}), "later")
    with pytest.raises(TypeError):
        ManifestEntry.from_json({k: v for k, v in whole.items() if k != "sha256"})
