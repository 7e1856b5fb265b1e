"""Incremental and parallel builds: rebuild only what changed; --jobs never changes the bytes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import EPOCH as SOURCE_DATE_EPOCH
from conftest import Project, make_project

EPOCH = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}

PROBE = """
import json, subprocess, sys
from pathlib import Path
calls = []
real_run = subprocess.run
def spy(*args, **kwargs):
    calls.append(str(args[0][0]))
    return real_run(*args, **kwargs)
subprocess.run = spy
from publishkit.cli.main import main
rc = main(["all", "--quiet", "--jobs", "1"], root=Path(sys.argv[1]))
print(json.dumps({"rc": rc, "weasyprint": "weasyprint" in sys.modules, "processes": calls}))
"""


def _statuses(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    out = {}
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("built", "unchanged"):
            out[parts[1]] = parts[0]
    return out


def test_nothing_changed_rebuilds_nothing_and_starts_nothing(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", "basic", seed=True)
    first = proj.run("all", env=EPOCH)
    assert first.returncode == 0, first.stderr
    assert set(_statuses(first).values()) == {"built"}
    manifest_before = (proj.build / "manifest.json").read_bytes()

    second = proj.run("all", env=EPOCH)
    assert second.returncode == 0
    statuses = _statuses(second)
    assert statuses and set(statuses.values()) == {"unchanged"}
    assert (proj.build / "manifest.json").read_bytes() == manifest_before

    probe = subprocess.run(
        [sys.executable, "-c", PROBE, str(proj.root)],
        cwd=proj.root,
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(probe.stdout.strip().splitlines()[-1])
    assert report == {"rc": 0, "weasyprint": False, "processes": []}


def test_registry_change_rebuilds_exactly_the_articles_it_affects(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", "basic", seed=True)
    assert proj.run("all", env=EPOCH).returncode == 0
    reg = proj.source / "disclaimers.yaml"
    reg.write_text(
        reg.read_text(encoding="utf-8").replace("free and open 24 hours", "free, open 24 hours"),
        encoding="utf-8",
    )
    result = proj.run("all", env=EPOCH)
    assert result.returncode == 0, result.stderr
    rebuilt = {Path(p).parts[0] for p, s in _statuses(result).items() if s == "built"}
    untouched = {Path(p).parts[0] for p, s in _statuses(result).items() if s == "unchanged"}
    # crisis-line applies to the articles that mention suicidal thoughts, not to sleep-basics.
    assert rebuilt == {"ketamine-neurobiology", "managing-medications", "living-with-anxiety"}
    assert untouched == {"sleep-basics"}
    assert "free, open 24 hours" in proj.out("managing-medications", ".txt").read_text(encoding="utf-8")


def test_template_change_rebuilds_only_its_format(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", "basic")
    assert proj.run("all", env=EPOCH).returncode == 0
    css = proj.root / "templates" / "email.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.extra { color: #000000; }\n", encoding="utf-8")
    statuses = _statuses(proj.run("all", env=EPOCH))
    built = {p for p, s in statuses.items() if s == "built"}
    # email.css shapes the email page and the .eml's HTML part, nothing else.
    assert built and all(p.endswith((".email.html", ".eml")) for p in built)


def test_a_change_to_the_code_that_makes_outputs_rebuilds_them_and_other_code_does_not(
    tmp_path: Path,
) -> None:
    """An engineer who changes a renderer, the audit or pandoc's batch script gets new outputs
    without --force; a change to the command line, the checks or the gallery rebuilds none."""
    proj = make_project(tmp_path / "p", "basic")
    assert proj.run("text", env=EPOCH).returncode == 0
    for elsewhere in ("cli/console.py", "checks/runner.py", "site/gallery.py"):
        with (proj.root / "publishkit" / elsewhere).open("a", encoding="utf-8") as code:
            code.write("\n# a comment\n")
        statuses = _statuses(proj.run("text", env=EPOCH))
        assert statuses and set(statuses.values()) == {"unchanged"}, elsewhere
    for shaping in ("formats/text.py", "audit/core.py", "kit/batch.lua"):
        with (proj.root / "publishkit" / shaping).open("a", encoding="utf-8") as code:
            code.write("\n-- a comment\n" if shaping.endswith(".lua") else "\n# a comment\n")
        statuses = _statuses(proj.run("text", env=EPOCH))
        assert statuses and set(statuses.values()) == {"built"}, shaping
        assert set(_statuses(proj.run("text", env=EPOCH)).values()) == {"unchanged"}


def test_force_rebuilds_everything(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", "basic")
    assert proj.run("text", env=EPOCH).returncode == 0
    statuses = _statuses(proj.run("text", "--force", env=EPOCH))
    assert statuses and set(statuses.values()) == {"built"}


# --jobs 1 and --jobs 2 giving byte-identical outputs is proven together with reproducible builds:
# tests/test_provenance.py::test_builds_are_byte_identical_across_dirs_times_and_jobs.


def test_hand_edited_output_is_rebuilt(project: Project) -> None:
    project.article("calm", "Rest and drink water.")
    assert project.run("text").returncode == 0
    out = project.out("calm", ".txt")
    good = out.read_bytes()
    out.write_bytes(good.replace(b"Rest", b"Tset"))  # same size, different bytes
    result = project.run("text")
    assert _statuses(result) == {"calm/calm.txt": "built"}
    assert out.read_bytes() == good
