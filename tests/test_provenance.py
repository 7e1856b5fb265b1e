"""The audit gate, `publish.py verify`, provenance lines and byte-reproducible builds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import EPOCH as SOURCE_DATE_EPOCH
from conftest import Project, make_project

from publishkit.audit.core import Extracted, Requirement, audit
from publishkit.errors import AuditError

EPOCH = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}


def _hashes(build: Path) -> dict[str, str]:
    return {
        str(p.relative_to(build)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(build.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def test_builds_are_byte_identical_across_dirs_times_and_jobs(seed_build: Project, tmp_path: Path) -> None:
    """Same inputs and SOURCE_DATE_EPOCH: the session build (--jobs 1) and this one (another folder,
    another process, later, --jobs 2) give the same bytes for every file, manifest included."""
    other = make_project(tmp_path / "elsewhere" / "b", "basic", seed=True)
    assert other.run("all", "--jobs", "2", env=EPOCH).returncode == 0
    ha, hb = _hashes(seed_build.build), _hashes(other.build)
    assert len(ha) >= 20
    assert list(ha) == list(hb)  # same files, same order
    assert ha == hb


def test_template_that_drops_the_disclaimers_is_stopped_by_the_audit(project: Project) -> None:
    project.article("calm", "Rest and drink water.")
    assert project.run("email").returncode == 0
    good = project.out("calm", ".email.html").read_bytes()
    tpl = project.root / "templates" / "email.html.j2"
    text = tpl.read_text(encoding="utf-8")
    start, end = text.index('<div class="pk-important"'), text.index('<p class="pk-review">')
    tpl.write_text(text[:start] + text[end:], encoding="utf-8")
    result = project.run("email")
    assert result.returncode == 1
    assert (
        "Error: audit: calm.email.html: disclaimer 'not-medical-advice' missing (full text not found)"
        in result.stderr
    )
    assert project.out("calm", ".email.html").read_bytes() == good


def test_text_template_without_review_line_is_stopped(project: Project) -> None:
    project.article("calm", "Rest and drink water.")
    tpl = project.root / "templates" / "text.txt.j2"
    tpl.write_text(tpl.read_text(encoding="utf-8").replace("{{ review }}", ""), encoding="utf-8")
    result = project.run("text")
    assert result.returncode == 1
    assert "Error: audit: calm.txt: review line 'Last reviewed November 1, 2026' missing" in result.stderr
    assert not project.out("calm", ".txt").exists()


def test_wording_changed_in_registry_after_rendering_fails_the_audit() -> None:
    rendered = Extracted(pages=("Call 988 any time. Last reviewed November 1, 2026",))
    ok = Requirement("crisis-line", "Call 988 any time.", "Call 988")
    audit("x.txt", rendered, [ok], "Last reviewed November 1, 2026")
    changed = Requirement("crisis-line", "Call or text 988 any time.", "Call 988")
    with pytest.raises(AuditError, match="disclaimer 'crisis-line' missing"):
        audit("x.txt", rendered, [changed], "Last reviewed November 1, 2026")


def test_footer_missing_on_one_page_is_named() -> None:
    rendered = Extracted(
        pages=("Full text. Last reviewed today", "more"),
        footers=("Short line Page 1 of 2", "Page 2 of 2"),
    )
    with pytest.raises(AuditError, match="disclaimer 'd' missing in the footer on page 2"):
        audit("x.pdf", rendered, [Requirement("d", "Full text.", "Short line")], "Last reviewed today")


def test_audit_tolerates_typography_and_line_breaks() -> None:
    rendered = Extracted(
        pages=("It isn\u2019t medi-\ncal advice \u2014 talk to your\n clinician. Last reviewed X",)
    )
    audit(
        "x.pdf",
        rendered,
        [Requirement("d", "It isn't medical advice - talk to your clinician.", "s")],
        "Last reviewed X",
    )


def test_verify_passes_on_a_fresh_build_and_names_a_hand_edited_file(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", "basic", seed=True)
    assert proj.run("all", env=EPOCH).returncode == 0
    result = proj.run("verify")
    assert result.returncode == 0, result.stderr
    assert "all good" in result.stdout

    txt = proj.out("managing-medications", ".txt")
    txt.write_text(
        txt.read_text(encoding="utf-8").replace("If you are having thoughts of suicide", "If"),
        encoding="utf-8",
    )
    result = proj.run("verify")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "Error: verify: build/managing-medications/managing-medications.txt: changed since it was built (sha256 differs from build/manifest.json)",
        "Error: verify: build/managing-medications/managing-medications.txt: disclaimer 'crisis-line' missing (full text not found): it no longer carries the approved wording",
    ]

    # A hand edit is repaired by the next build: the output no longer matches its manifest entry.
    assert proj.run("all", env=EPOCH).returncode == 0
    assert proj.run("verify").returncode == 0


def test_verify_reports_missing_files_and_registry_changes(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", "basic")
    assert proj.run("text", env=EPOCH).returncode == 0
    proj.out("sleep-basics", ".txt").unlink()
    reg = proj.source / "disclaimers.yaml"
    reg.write_text(
        reg.read_text(encoding="utf-8").replace("general education only", "general information only"),
        encoding="utf-8",
    )
    result = proj.run("verify")
    assert result.returncode == 1
    assert (
        "Error: verify: build/sleep-basics/sleep-basics.txt: missing: listed in the manifest but not in build/"
        in result.stderr
    )
    assert (
        "Error: verify: build/managing-medications/managing-medications.txt: disclaimer 'not-medical-advice' missing"
        in result.stderr
    )


def test_manifest_records_provenance(seed_build: Project) -> None:
    manifest = json.loads((seed_build.build / "manifest.json").read_text())
    entry = next(
        e for e in manifest["outputs"] if e["path"] == "ketamine-neurobiology/ketamine-neurobiology.txt"
    )
    data = (seed_build.build / entry["path"]).read_bytes()
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry["bytes"] == len(data)
    src = (seed_build.source / "ketamine-neurobiology.md").read_bytes()
    assert entry["source_sha256"] == hashlib.sha256(src).hexdigest()
    reg = (seed_build.source / "disclaimers.yaml").read_bytes()
    assert entry["registry_sha256"] == hashlib.sha256(reg).hexdigest()
    assert entry["disclaimers"] == ["not-medical-advice", "crisis-line", "controlled-substance"]
    assert entry["built_at"] == "2026-11-15T00:00:00+00:00"
    assert entry["versions"]["pandoc"].startswith("3.")
    assert {"publishkit", "weasyprint", "pypandoc-binary"} <= set(entry["versions"])
    assert len(entry["templates_sha256"]) == 64
    ref = f"Ref ketamine-neurobiology · source {entry['source_sha256'][:8]} · reviewed 2026-11-01"
    assert ref in data.decode("utf-8")
    html = seed_build.out("ketamine-neurobiology", ".email.html").read_text(encoding="utf-8")
    assert f'<meta name="publishkit-ref" content="{ref}">' in html


def test_pdf_footer_placed_too_late_is_caught_on_page_one(project: Project) -> None:
    """A running footer applies from where it appears: moved to the end, page 1 loses it."""
    project.article(
        "long", "Rest and drink water.\n\n" + "\n\n".join(["A calm paragraph about rest. " * 12] * 14)
    )
    assert project.run("pdf", "--jobs", "1").returncode == 0
    good = project.out("long", ".pdf").read_bytes()
    tpl = project.root / "templates" / "handout.html.j2"
    text = tpl.read_text(encoding="utf-8")
    start, end = text.index('<footer class="pk-page-footer">'), text.index("</footer>") + len("</footer>")
    footer = text[start:end]
    tpl.write_text((text[:start] + text[end:]).replace("</body>", footer + "\n</body>"), encoding="utf-8")
    result = project.run("pdf", "--jobs", "1")
    assert result.returncode == 1
    assert (
        "Error: audit: long.pdf: disclaimer 'not-medical-advice' missing in the footer on page 1"
        in result.stderr
    )
    assert project.out("long", ".pdf").read_bytes() == good
