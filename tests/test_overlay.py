"""A clinic's own disclaimers: a registry file laid over source/disclaimers.yaml for that clinic."""

from __future__ import annotations

import pytest
from conftest import Project

from publishkit.errors import RegistryError
from publishkit.model.registry import load_registry, overlay_registry

CLINIC = """
[tool.publish.brands.eastside]
name = "Eastside Family Health"
address = "88 Division Street, Portland, OR 97202"
phone = "(503) 555-0199"
registry = "disclaimers.eastside.yaml"
"""
OVERLAY = """\
- id: not-medical-advice
  short: "Eastside: general information only."
  text: Eastside Family Health's own wording of the general disclaimer.

- id: eastside-hours
  applies: always
  short: "Eastside is open 8 to 8."
  text: Eastside Family Health is open from 8 am to 8 pm every day.
"""


def test_an_overlay_replaces_one_wording_and_adds_one_disclaimer(project: Project) -> None:
    base = load_registry(project.source / "disclaimers.yaml")
    path = project.source / "disclaimers.eastside.yaml"
    path.write_text(OVERLAY, encoding="utf-8")
    clinic = overlay_registry(base, path)
    assert clinic.ids == (*base.ids, "eastside-hours")
    replaced, shared = clinic.get("not-medical-advice"), base.get("not-medical-advice")
    assert replaced is not None and shared is not None
    assert replaced.text == "Eastside Family Health's own wording of the general disclaimer."
    assert (replaced.short, replaced.applies) == ("Eastside: general information only.", shared.applies)
    assert [clinic.get(i) for i in base.ids[1:]] == [base.get(i) for i in base.ids[1:]]
    path.write_text(OVERLAY.replace("8 to 8", "8 to 9"), encoding="utf-8")
    assert overlay_registry(base, path).sha256 != clinic.sha256
    shared_file = project.source / "disclaimers.yaml"
    shared_file.write_text(shared_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert overlay_registry(load_registry(shared_file), path).sha256 not in (clinic.sha256, base.sha256)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            OVERLAY.replace('  short: "Eastside is', '  shrot: "Eastside is'),
            7,
            "unknown key 'shrot'. Valid keys: id, text, short, applies, match",
        ),
        (OVERLAY.replace("  applies: always\n", ""), 5, "eastside-hours: 'applies' must be non-empty text"),
        (OVERLAY + "- id: x\n  text: &a Hi\n  short: *a\n", 10, "YAML anchors and aliases"),
    ],
)
def test_a_bad_overlay_names_its_file_and_line(project: Project, text: str, line: int, message: str) -> None:
    path = project.source / "disclaimers.eastside.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as caught:
        overlay_registry(load_registry(project.source / "disclaimers.yaml"), path)
    assert (caught.value.path, caught.value.line) == (str(path), line)
    assert caught.value.message.startswith(message)


def test_a_clinic_build_carries_its_own_wording(project: Project) -> None:
    (project.source / "disclaimers.eastside.yaml").write_text(OVERLAY, encoding="utf-8")
    with (project.root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(CLINIC)
    project.article("hours")
    result = project.run("text", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    east = (project.build / "hours" / "eastside" / "hours.txt").read_text(encoding="utf-8")
    default = project.out("hours", ".txt").read_text(encoding="utf-8")
    assert "own wording of the general disclaimer" in east and "open from 8 am to 8 pm" in east
    assert "own wording" not in default and "8 am" not in default
    assert "It is not medical advice" in " ".join(default.split())
    assert "It is not medical advice" not in " ".join(east.split())
