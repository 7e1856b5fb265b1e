"""Paths out of source/: symlinked folders and logos, the registry's Markdown, files too large to read."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import EPOCH, REPO, Project
from test_bad_inputs import SECRET, Listener, _outputs_bytes
from test_pdf_fetch import png

from publishkit.formats import REGISTRY
from publishkit.kit.assetfetch import RefusedFetch, make_fetcher


def _secret_png(where: Path) -> Path:
    """A real picture with the secret after its end: a reader copying the file carries the secret."""
    where.mkdir(parents=True, exist_ok=True)
    path = where / "SECRET-OUTSIDE.png"
    path.write_bytes(png() + SECRET.encode())
    return path


def _assert_nothing_leaked(proj: Project) -> None:
    for name, data in _outputs_bytes(proj.build).items():
        assert SECRET.encode() not in data, name


def test_symlinked_assets_folder_is_refused(project: Project) -> None:
    """Item 2: source/assets pointing elsewhere is not an assets folder for the image check, the
    PDF fetcher or pandoc."""
    outside = _secret_png(project.root.parent / "elsewhere").parent
    shutil.rmtree(project.source / "assets", ignore_errors=True)
    (project.source / "assets").symlink_to(outside, target_is_directory=True)
    (outside / "pic.png").write_bytes(png() + SECRET.encode())
    project.article("with-picture", "Look.\n\n![A pill box](assets/pic.png)\n")
    project.article("no-picture", "Plain text only.\n")
    result = project.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        "Error: source: source/with-picture.md:9: image 'assets/pic.png': source/assets is a symbolic "
        "link; pictures must be real files in a real source/assets/ folder, not links to files elsewhere"
    ) in result.stderr.splitlines()
    assert not (project.build / "with-picture").exists()
    for renderer in REGISTRY.values():
        assert project.out("no-picture", renderer.suffix).is_file(), renderer.name
    manifest = json.loads((project.build / "manifest.json").read_text(encoding="utf-8"))
    assert "no-picture" in json.dumps(manifest)
    _assert_nothing_leaked(project)


def test_symlinked_logo_is_refused(project: Project) -> None:
    secret = _secret_png(project.root.parent / "elsewhere")
    (project.source / "assets").mkdir(exist_ok=True)
    (project.source / "assets" / "logo.png").symlink_to(secret)
    project.set_config('color = "#1F5F7A"', 'color = "#1F5F7A"\nlogo = "logo.png"')
    project.article("handout", "Plain text only.\n")
    result = project.run("pdf", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "Error: config: pyproject.toml: tool.publish.brand.logo: source/assets/logo.png is a symbolic link"
    ]
    assert not project.out("handout", ".pdf").exists()


def test_fetcher_refuses_a_symlinked_assets_folder(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    real.mkdir()
    (real / "pic.png").write_bytes(png())
    (tmp_path / "source").mkdir()
    assets = tmp_path / "source" / "assets"
    assets.symlink_to(real, target_is_directory=True)
    fetcher = make_fetcher((assets, tmp_path / "templates"), 5)
    for url in ((assets / "pic.png").as_uri(), (real / "pic.png").as_uri()):
        with pytest.raises(RefusedFetch):
            fetcher.fetch(url)


REGISTRY_EXTRA = """
- id: local-picture
  applies: on-request
  short: "Local picture test."
  text: >-
    See this picture. ![a secret]({secret})

- id: remote-picture
  applies: on-request
  short: "Remote picture test."
  text: >-
    See this picture. ![a tracker](http://127.0.0.1:{port}/pixel.png)

- id: bad-link
  applies: on-request
  short: "Link test."
  text: >-
    Read [our policy](javascript:alert(1)) before you start.
"""


def _line(text: str, needle: str) -> int:
    """File line of the 'text:' key of the entry whose text contains ``needle``."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if needle in line)
    return next(i for i in range(at, 0, -1) if lines[i].strip().startswith("text:")) + 1


def test_registry_markdown_gets_the_article_checks(project: Project) -> None:
    """Item 3: an image in a disclaimer is checked like an article's (no file outside source/assets/
    is read, nothing is fetched), and its links like an article's."""
    secret = _secret_png(project.root.parent / "elsewhere")
    listener = Listener()
    try:
        path = project.source / "disclaimers.yaml"
        extra = REGISTRY_EXTRA.format(secret=secret, port=listener.port)
        text = path.read_text(encoding="utf-8") + extra
        path.write_text(text, encoding="utf-8")
        project.article("uses-local", "Some text.\n", disclaimers="[local-picture]")
        project.article("uses-remote", "Some text.\n", disclaimers="[remote-picture]")
        project.article("uses-link", "Some text.\n", disclaimers="[bad-link]")
        project.article("plain", "Some text.\n")
        result = project.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
        connections = listener.connections
    finally:
        listener.close()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    valid = "write images as ![description](assets/picture.png) with the file in source/assets/"
    where = "source/disclaimers.yaml"
    assert (
        f"Error: disclaimers: {where}:{_line(text, 'a secret')}: image '{secret}' is outside "
        f"source/assets/; {valid}"
    ) in lines
    assert (
        f"Error: disclaimers: {where}:{_line(text, 'a tracker')}: image "
        f"'http://127.0.0.1:{listener.port}/pixel.png' is not a local file; {valid}"
    ) in lines
    assert (
        f"Warning: warning: {where}:{_line(text, 'our policy')}: link to 'javascript:alert(1)' was kept "
        "as plain text: links must start with https://, http://, mailto:, tel: or #"
    ) in lines
    assert connections == 0
    for slug in ("uses-local", "uses-remote"):
        assert not (project.build / slug).exists()
    manifest = (project.build / "manifest.json").read_text(encoding="utf-8")
    for slug in ("uses-link", "plain"):
        assert f'"{slug}"' in manifest
        for renderer in REGISTRY.values():
            assert project.out(slug, renderer.suffix).is_file(), (slug, renderer.name)
    _assert_nothing_leaked(project)
    for name, data in _outputs_bytes(project.build).items():
        assert b"javascript:" not in data.lower(), name


MEMORY_PROBE = """
import resource, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from publishkit.model.article import load_article
from publishkit.model.settings import Limits
from publishkit.model.registry import load_registry
from publishkit.errors import PublishError
limit = 1 << 30  # 1 GiB of address space: reading a 3 GB file whole cannot happen inside it
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
for load in (lambda p: load_article(p, Limits()), load_registry):
    try:
        load(Path(sys.argv[2]))
    except PublishError as exc:
        print(exc.message)
# VmHWM is this process's own peak: ru_maxrss would carry over the forking parent's peak (the
# pytest worker's) across exec on Linux.
print(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM:")))
"""


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    """Item 8: a 3 GB sparse file is refused by its size, in a process that could not hold it."""
    big = tmp_path / "huge.md"
    with big.open("wb") as fh:
        fh.write(b"---\ntitle: T\nsummary: S\nreviewed: 2026-01-01\n---\n")
        fh.truncate(3 * 1024**3)
    probe = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(MEMORY_PROBE), str(REPO), str(big)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    *messages, maxrss = probe.stdout.splitlines()
    too_large = (
        "too large: 3,221,225,472 bytes; the limit is 1,000,000 (tool.publish.limits.max_source_bytes)"
    )
    assert messages == [too_large, too_large]
    assert int(maxrss) < 300 * 1024  # KiB: nowhere near the file's size
