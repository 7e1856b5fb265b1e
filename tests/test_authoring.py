"""`publish.py new` starts an article that builds clean; `publish.py clean` removes only what the build made."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import EPOCH, Project

from publishkit.model.scaffold import slugify

CLOCK = {"SOURCE_DATE_EPOCH": EPOCH}


def test_slugs_are_lower_case_ascii_with_hyphens() -> None:
    assert slugify("Don't Panic: Ärzte & Sleep, a Guide") == "dont-panic-arzte-sleep-a-guide"
    assert slugify("  COVID-19 vaccines -- what's new?  ") == "covid-19-vaccines-whats-new"
    assert slugify("日本語") == ""
    long = slugify("word " * 40)
    assert len(long) <= 60 and not long.endswith("-") and long.startswith("word-word")


def test_new_writes_placeholders_that_fail_the_check_until_replaced(project: Project) -> None:
    made = project.run("new", "Sleep: the basics & more", env=CLOCK)
    assert made.returncode == 0, made.stderr
    assert made.stdout == (
        "Wrote source/sleep-the-basics-more.md. Replace every TODO: line with your own words "
        "(`check` reports each one until you do), then run: python publish.py all\n"
    )
    path = project.source / "sleep-the-basics-more.md"
    text = path.read_text(encoding="utf-8")
    assert 'title: "Sleep: the basics & more"' in text
    assert "reviewed: 2026-11-15\n" in text  # the build clock
    assert "audience: patients\n" in text

    # As written, the placeholders fail the check, one line each, and `all` builds nothing.
    marked = [n for n, line in enumerate(text.splitlines(), 1) if "TODO:" in line]
    assert len(marked) == 6
    check = project.run("check", env=CLOCK)
    assert check.returncode == 1
    message = "placeholder text from `publish.py new` ('TODO:'): replace it with your own words"
    assert check.stderr.splitlines() == [
        f"Error: check: source/sleep-the-basics-more.md:{n}: {message}" for n in marked
    ]
    refused = project.run("all", "--jobs", "1", env=CLOCK)
    assert refused.returncode == 1
    assert not (project.build / "sleep-the-basics-more").exists()

    # With its own words in place of the markers, the skeleton passes --strict and builds clean.
    path.write_text(text.replace("TODO: ", ""), encoding="utf-8")
    check = project.run("check", "--strict", env=CLOCK)
    assert check.returncode == 0, check.stderr
    assert check.stderr == ""
    built = project.run("all", "--strict", "--jobs", "1", env=CLOCK)
    assert built.returncode == 0, built.stderr
    assert "Warning" not in built.stderr and "Error" not in built.stderr
    assert project.run("verify").returncode == 0
    data = json.loads((project.build / "check.json").read_text(encoding="utf-8"))
    entry = data["articles"]["sleep-the-basics-more"]
    assert (entry["errors"], entry["warnings"], entry["notes"]) == (0, 0, 0)
    assert entry["readability"]["grade"] <= 8
    assert "Sleep: the basics &amp; more" in (project.build / "index.html").read_text(encoding="utf-8")


def test_new_refuses_a_title_that_is_not_utf8(project: Project) -> None:
    """It was a UnicodeEncodeError traceback that left an empty source/abc.md behind."""
    result = subprocess.run(
        [sys.executable, str(project.root / "publish.py"), "new", b"\xff abc"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == "Error: new: the title must be text on one line, got '\\udcff abc'\n"
    assert not (project.source / "abc.md").exists()


def test_new_refuses_to_overwrite_and_to_guess_a_bad_name(project: Project) -> None:
    assert project.run("new", "Sleep basics", env=CLOCK).returncode == 0
    path = project.source / "sleep-basics.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nMy own words.\n", encoding="utf-8")
    before = path.read_bytes()
    again = project.run("new", "Sleep Basics!", env=CLOCK)
    assert again.returncode == 1
    assert again.stderr == (
        "Error: new: source/sleep-basics.md: already exists, so it was left as it is: "
        "edit it, or choose another title or --slug\n"
    )
    assert path.read_bytes() == before

    no_ascii = project.run("new", "睡眠", env=CLOCK)
    assert no_ascii.returncode == 1
    assert no_ascii.stderr.startswith(
        "Error: new: the title '睡眠' gives no valid file name: give one with --slug"
    )
    assert project.run("new", "睡眠", "--slug", "Bad Slug", env=CLOCK).returncode == 1
    assert project.run("new", "睡眠", "--slug", "sleep-ja", env=CLOCK).returncode == 0
    assert (project.source / "sleep-ja.md").read_text(encoding="utf-8").startswith('---\ntitle: "睡眠"\n')


def test_clean_removes_what_the_build_made_and_keeps_the_rest(project: Project) -> None:
    project.article("calm", "Rest and drink water. Call us if you feel worse.")
    project.article("rest", "Sleep at the same time each night.")
    assert project.run("all", "--jobs", "1", env=CLOCK).returncode == 0
    build = project.build
    assert (build / "_gallery" / "calm-p1.png").is_file() and (build / "index.html").is_file()
    (build / "notes.txt").write_text("mine", encoding="utf-8")
    (build / "calm" / "printed.txt").write_text("mine too", encoding="utf-8")
    edited = build / "rest" / "rest.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    outside = project.root / "keep-me.txt"
    outside.write_text("outside build/", encoding="utf-8")
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["outputs"].append({**manifest["outputs"][0], "path": "../keep-me.txt", "slug": "x"})
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    result = project.run("clean")
    assert result.returncode == 0, result.stderr
    left = sorted(p.relative_to(build).as_posix() for p in build.rglob("*"))
    assert left == ["calm", "calm/printed.txt", "notes.txt", "rest", "rest/rest.txt"]
    assert outside.read_text(encoding="utf-8") == "outside build/"
    assert result.stdout.splitlines()[1:] == [
        "Kept build/rest/rest.txt: it was changed after the build wrote it. Delete it yourself if not needed.",
        "Kept 2 files that the build did not make:",
        "  build/calm/printed.txt",
        "  build/notes.txt",
    ]
    assert result.stdout.startswith("Removed ")

    for path in [build / "notes.txt", build / "calm" / "printed.txt", edited]:
        path.unlink()
    for folder in ("calm", "rest"):
        (build / folder).rmdir()
    assert project.run("clean").stdout == "Removed 0 files that the build made.\nbuild/ is gone.\n"
    assert not build.exists()
    assert project.run("clean").stdout == "Nothing to clean: build/ does not exist.\n"
