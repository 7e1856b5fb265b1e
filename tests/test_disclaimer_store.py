"""build/.disclaimers.json: a wording converted once is used by the next command while its
Markdown and the converting code are the same (counted, not timed); the outputs are the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import Project, make_project, run_probe

from publishkit.pipeline.disclaimerstore import STORE

# Which wordings this command converted with pandoc (by id), and the warnings it reported.
PROBE = """
import json, sys
from pathlib import Path
from publishkit.pipeline import convert
converted = []
real = convert._convert_disclaimers
def spy(registry, entries, settings):
    converted.extend(d.id for d in entries)
    return real(registry, entries, settings)
convert._convert_disclaimers = spy
from publishkit.cli.main import main
rc = main([*sys.argv[2:], "--quiet", "--jobs", "1"], root=Path(sys.argv[1]))
print(json.dumps({"rc": rc, "converted": sorted(converted)}))
"""
BODY = "Ketamine is studied for depression. Call 988 if you think about suicide.\n"


def _probe(proj: Project, *args: str) -> dict[str, object]:
    return run_probe(PROBE, proj.root, *args)


def _outputs(proj: Project) -> dict[str, bytes]:
    skip = {"manifest.json", "check.json", ".sources.json", STORE}
    return {
        str(p.relative_to(proj.build)): p.read_bytes()
        for p in sorted(proj.build.rglob("*"))
        if p.is_file() and p.name not in skip and "_gallery" not in p.parts and p.name != "index.html"
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, dict[str, object]]:
    proj = make_project(tmp_path_factory.mktemp("store") / "proj")
    proj.article("dose", BODY)
    return proj, _probe(proj, "all")


def test_the_next_build_converts_no_wording_and_makes_the_same_bytes(
    built: tuple[Project, dict[str, object]], tmp_path: Path
) -> None:
    proj, first = built
    assert first == {"rc": 0, "converted": ["crisis-line", "not-medical-advice"]}
    kept = json.loads((proj.build / STORE).read_text(encoding="utf-8"))
    assert kept["schema"] == 1 and len(kept["texts"]) == 2
    made = _outputs(proj)
    assert _probe(proj, "all", "--force") == {"rc": 0, "converted": []}
    assert _outputs(proj) == made

    fresh = make_project(tmp_path / "fresh")  # the same article, its wordings converted anew
    fresh.article("dose", BODY)
    assert _probe(fresh, "all")["converted"] != []
    assert _outputs(fresh) == made


def test_a_changed_wording_alone_is_converted_again(project: Project) -> None:
    project.article("dose", BODY)
    assert _probe(project, "text")["rc"] == 0
    registry = project.source / "disclaimers.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace(
            "replace a visit with your doctor", "replace a visit with your own doctor"
        ),
        encoding="utf-8",
    )
    again = _probe(project, "text", "--force")
    assert again == {"rc": 0, "converted": ["not-medical-advice"]}
    assert "your own doctor" in " ".join(project.out("dose", ".txt").read_text(encoding="utf-8").split())


@pytest.mark.parametrize(
    "stored",
    [
        "not json",
        '{"schema": 99, "texts": {}}',
        '{"schema": 1, "texts": []}',
        "[1, 2]",
    ],
)
def test_a_store_that_cannot_be_used_is_converted_again(project: Project, stored: str) -> None:
    project.article("dose", BODY)
    project.build.mkdir()
    (project.build / STORE).write_text(stored, encoding="utf-8")
    assert _probe(project, "text")["converted"] != []
    assert json.loads((project.build / STORE).read_text(encoding="utf-8"))["schema"] == 1


def test_a_kept_wording_of_the_wrong_shape_is_converted_again(
    built: tuple[Project, dict[str, object]],
) -> None:
    proj, _first = built
    path = proj.build / STORE
    kept = json.loads(path.read_text(encoding="utf-8"))
    key = next(iter(kept["texts"]))
    kept["texts"][key] = {"html": 1, "plain": "", "ast": []}
    path.write_text(json.dumps(kept), encoding="utf-8")
    assert len(_probe(proj, "text", "--force")["converted"]) == 1  # type: ignore[arg-type]


def test_a_wording_with_a_warning_is_converted_and_reported_every_time(project: Project) -> None:
    registry = project.source / "disclaimers.yaml"
    text_line = len(registry.read_text(encoding="utf-8").splitlines()) + 5
    registry.write_text(
        registry.read_text(encoding="utf-8")
        + '\n- id: raw\n  applies: always\n  short: "Raw."\n  text: "Plain words <b>and raw HTML</b>."\n',
        encoding="utf-8",
    )
    project.article("dose", BODY)
    for _ in range(2):
        result = project.run("text", "--force", "--jobs", "1")
        assert result.returncode == 0, result.stderr
        assert f"disclaimers.yaml:{text_line}: raw HTML is not allowed" in result.stderr
        assert _probe(project, "text", "--force")["converted"] == ["raw"]


def test_a_wording_with_an_image_is_not_kept(tmp_path: Path) -> None:
    """Its AST names the image's file on this machine: converted again by every command."""
    from publishkit.formats.context import DisclaimerText
    from publishkit.model.registry import Disclaimer
    from publishkit.model.settings import Settings
    from publishkit.pipeline.disclaimerstore import DisclaimerStore

    settings = Settings(root=tmp_path)
    settings.build_dir.mkdir()
    image = {"t": "Image", "c": [["", [], []], [{"t": "Str", "c": "seal"}], ["/x/seal.png", ""]]}
    words = [{"t": "Para", "c": [{"t": "Str", "c": "Words."}]}]
    pictured, plain = (
        Disclaimer("seal", "![seal](assets/seal.png)", "Seal.", "always"),
        Disclaimer("words", "Words.", "Words.", "always"),
    )
    store = DisclaimerStore(settings)
    store.put(pictured, DisclaimerText(pictured, "<img>", "[seal]", [{"t": "Para", "c": [image]}]))
    store.put(plain, DisclaimerText(plain, "<p>Words.</p>", "Words.\n", words))
    store.save()
    again = DisclaimerStore(settings)
    assert again.get(pictured) is None
    assert again.get(plain) == ("<p>Words.</p>", "Words.\n", words)


def test_clean_removes_the_store(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p")
    proj.article("dose", BODY)
    assert _probe(proj, "text")["rc"] == 0 and (proj.build / STORE).is_file()
    assert proj.run("clean").returncode == 0
    assert not (proj.build / STORE).exists()
