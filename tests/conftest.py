"""Shared fixtures: a throw-away project tree per test, and the CLI run the way users run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"
# The build clock for reproducible test builds: 2026-11-15, after every test article's review date.
EPOCH = "1794700800"
sys.path.insert(0, str(REPO))


def probe(code: str, env: dict[str, str] | None = None, timeout: float = 120) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter (what a library loads once per process is loaded
    there anew), at the test build clock, and return the JSON object its last line prints."""
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})},
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


@dataclass
class Project:
    root: Path

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def build(self) -> Path:
        return self.root / "build"

    def out(self, slug: str, suffix: str) -> Path:
        return self.build / slug / f"{slug}{suffix}"

    def write(self, rel: str, text: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def article(self, slug: str, body: str = "Some text.\n", **front: object) -> Path:
        """Write source/<slug>.md with valid defaults for the required fields."""
        meta = {
            "title": f"Test article {slug}",
            "summary": "A short summary.",
            "reviewed": "2026-11-01",
        }
        meta.update({k: v for k, v in front.items()})
        lines = ["---"]
        for key, value in meta.items():
            lines.append(f"{key}: {value}")
        lines += ["---", "", textwrap.dedent(body).strip("\n"), ""]
        path = self.source / f"{slug}.md"
        path.write_text("\n".join(lines), encoding="utf-8")
        return path

    def set_config(self, old: str, new: str) -> None:
        py = self.root / "pyproject.toml"
        text = py.read_text(encoding="utf-8")
        assert old in text, old
        py.write_text(text.replace(old, new), encoding="utf-8")

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        """Run publish.py in a subprocess, exactly as a user does."""
        import os

        full_env = {**os.environ, **(env or {})}
        return subprocess.run(
            [sys.executable, str(self.root / "publish.py"), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
            check=False,
        )


def make_project(dest: Path, root_case: str | None = None, seed: bool = False) -> Project:
    """A project tree like the client's: pyproject, publish.py, templates, registry (+ articles)."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    shutil.copy(REPO / "publish.py", dest / "publish.py")
    shutil.copytree(REPO / "publishkit", dest / "publishkit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "templates", dest / "templates")
    (dest / "source").mkdir()
    shutil.copy(REPO / "source" / "disclaimers.yaml", dest / "source" / "disclaimers.yaml")
    shutil.copy(REPO / "source" / "taglines.yaml", dest / "source" / "taglines.yaml")
    if (REPO / "source" / "assets").is_dir():
        shutil.copytree(REPO / "source" / "assets", dest / "source" / "assets")
    if seed:
        shutil.copy(REPO / "source" / "ketamine-neurobiology.md", dest / "source")
    if root_case:
        shutil.copytree(ROOTS / root_case, dest, dirs_exist_ok=True)
    return Project(dest)


def run_probe(probe: str, root: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run ``probe`` in a fresh interpreter for the project at ``root`` with ``args`` (it patches
    publishkit, runs a command and prints one JSON line last); that line, read. It must succeed."""
    import json
    import os

    result = subprocess.run(
        [sys.executable, "-c", probe, str(root), *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})},
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """An empty project (no articles) in a temporary folder."""
    return make_project(tmp_path / "proj")


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (the Debian package, never a download), shared by the browser tests."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (make test installs it)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The client's seed article plus the test articles in roots/basic, built once for the session."""
    proj = make_project(tmp_path_factory.mktemp("seed") / "proj", "basic", seed=True)
    result = proj.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr + result.stdout
    return proj


@pytest.fixture(scope="session")
def email_build(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Email outputs of the seed, the basic articles and one with a picture (asset_base_url set)."""
    from emailkit import ASSET_BASE, add_picture_article

    proj = make_project(tmp_path_factory.mktemp("email") / "proj", "basic", seed=True)
    add_picture_article(proj)
    proj.set_config('unsubscribe_url = "', f'asset_base_url = "{ASSET_BASE}"\nunsubscribe_url = "')
    result = proj.run("email", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr + result.stdout
    return proj


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--accept-golden",
        action="store_true",
        help="write the rendered pictures to tests/golden/ instead of comparing them",
    )


@pytest.fixture
def accept_golden(request: pytest.FixtureRequest) -> bool:
    """Refresh the golden pictures: pytest --accept-golden, or PUBLISHKIT_ACCEPT_GOLDEN=1 make test."""
    import os

    return (
        bool(request.config.getoption("--accept-golden")) or os.environ.get("PUBLISHKIT_ACCEPT_GOLDEN") == "1"
    )
