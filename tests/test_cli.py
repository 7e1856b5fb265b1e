"""The command line says what it does: articles named as files, unknown names, options that apply."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, Project

BODY = "Rest well, drink plenty of water, and go to bed at the same time each night."


@pytest.fixture
def two(project: Project) -> Project:
    project.article("calm", BODY)
    project.article("sleep", BODY)
    return project


@pytest.mark.parametrize("arg", ["calm", "calm.md", "source/calm.md", "./source/calm.md", "ABS"])
def test_an_article_file_is_understood_as_its_slug(two: Project, arg: str) -> None:
    arg = str(two.source / "calm.md") if arg == "ABS" else arg
    result = two.run("text", arg, "--quiet")
    assert result.returncode == 0, result.stderr
    assert two.out("calm", ".txt").is_file() and not two.out("sleep", ".txt").exists()
    assert two.run("verify", arg, "--quiet").returncode == 0
    check = two.run("check", arg, "--quiet")
    assert check.returncode == 0, check.stderr


def test_a_file_given_from_inside_source_is_understood(two: Project) -> None:
    result = subprocess.run(
        [sys.executable, "../publish.py", "text", "calm.md", "--quiet"],
        cwd=two.source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert two.out("calm", ".txt").is_file()


@pytest.mark.parametrize("command", ["text", "all", "check"])
@pytest.mark.parametrize("arg", ["nope", "other/calm.md", "source/nope.md"])
def test_an_unknown_article_is_one_line_listing_the_articles(two: Project, command: str, arg: str) -> None:
    result = two.run(command, arg)
    assert result.returncode == 1
    assert result.stderr == f"Error: source: no article '{arg}' in source/. Articles: calm, sleep\n"
    assert not two.build.exists()


def test_no_error_repeats_its_category(project: Project) -> None:
    project.source.rename(project.root / "elsewhere")
    result = project.run("check")  # it was "Error: source: source: the source folder does not exist"
    assert result.returncode == 1
    assert result.stderr == "Error: source: the source folder source/ does not exist\n"


def test_verify_an_unknown_article_is_an_error(two: Project) -> None:
    assert two.run("text", "calm", "--quiet").returncode == 0
    for arg in ("nope", "sleep"):  # no such article; an article that was never built
        result = two.run("verify", arg)
        assert result.returncode == 1
        assert result.stderr == f"Error: verify: no build of '{arg}' to verify. Built articles: calm\n"
        assert result.stdout == ""


@pytest.mark.parametrize("command", ["text", "email"])
def test_large_print_is_offered_only_where_it_works(project: Project, command: str) -> None:
    result = project.run(command, "--large-print")
    assert result.returncode == 2
    assert "error: unrecognized arguments: --large-print" in result.stderr
    assert "--large-print" not in project.run(command, "--help").stdout


def test_large_print_is_offered_by_pdf_docx_and_all(project: Project) -> None:
    for command in ("pdf", "docx", "all"):
        assert "--large-print" in project.run(command, "--help").stdout


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_must_be_a_positive_number(project: Project, jobs: str) -> None:
    result = project.run("text", "--jobs", jobs)
    assert result.returncode == 2
    assert f"argument --jobs: must be a whole number of 1 or more, got '{jobs}'" in result.stderr


def _system_python() -> Path:
    """The Python this test environment's venv was made from: it has none of the dependencies."""
    python = Path(sys.base_prefix) / "bin" / "python3"
    probe = subprocess.run([python, "-c", "import nh3"], capture_output=True, check=False)
    if probe.returncode == 0:
        pytest.skip(f"{python} has the dependencies installed: it cannot show a missing .venv")
    return python


def test_system_python_runs_publish_py_in_the_project_venv(two: Project) -> None:
    """Right after `make publish`, `python3 publish.py ...` and `./publish.py ...` just work."""
    (two.root / ".venv").symlink_to(sys.prefix)  # the environment `make publish` would have made
    for command in ([str(_system_python()), "publish.py"], ["./publish.py"]):
        result = subprocess.run(
            [*command, "text", "calm", "--quiet"], cwd=two.root, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr == "" and two.out("calm", ".txt").is_file()
        two.out("calm", ".txt").unlink()


def test_without_a_venv_publish_py_says_to_run_make_publish(two: Project) -> None:
    python = _system_python()
    result = subprocess.run(
        [python, "publish.py", "text"], cwd=two.root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: setup: publishkit and its dependencies are not installed for {python}: "
        "run `make publish` first, then ./publish.py runs them from .venv\n"
    )


def test_setuptools_leftovers_are_ignored_by_git() -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    for path in ("publishkit.egg-info/PKG-INFO", "other.egg-info/SOURCES.txt"):
        result = subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", path], check=False)
        assert result.returncode == 0, path
