"""What the PDF handout may read (assets, templates); images and logo keep alt text in the tags."""

from __future__ import annotations

import http.server
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pikepdf
import pytest
from conftest import EPOCH, Project, make_project

from publishkit.kit.assetfetch import RefusedFetch, make_fetcher


def png(width: int = 40, height: int = 20, rgb: tuple[int, int, int] = (31, 95, 122)) -> bytes:
    """A small solid PNG, written by hand so the test needs no imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    row = b"\x00" + bytes(rgb) * width
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


# --- the fetcher on its own -------------------------------------------------------------------


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path, Path]:
    assets, templates, other = (
        tmp_path / "source" / "assets",
        tmp_path / "templates",
        tmp_path / "other",
    )
    for d in (assets, templates / "fonts", other):
        d.mkdir(parents=True)
    (assets / "pic.png").write_bytes(png())
    (templates / "fonts" / "x.ttf").write_bytes(b"font")
    (other / "secret.txt").write_text("secret", encoding="utf-8")
    (assets / "link.png").symlink_to(other / "secret.txt")
    return assets, templates, other


def test_fetcher_reads_assets_templates_and_data(roots: tuple[Path, Path, Path]) -> None:
    assets, templates, _other = roots
    fetcher = make_fetcher((assets, templates), 5)
    assert fetcher.fetch((assets / "pic.png").as_uri()).read() == png()
    assert fetcher.fetch((templates / "fonts" / "x.ttf").as_uri()).read() == b"font"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/x.png",
        "ftp://example.org/x.png",
        "file:///etc/hostname",
        "OTHER/secret.txt",
        "ASSETS/../../other/secret.txt",
        "ASSETS/link.png",  # a symlink in assets/ that points outside
        "ASSETS/missing.png",
    ],
)
def test_fetcher_refuses_everything_else(roots: tuple[Path, Path, Path], url: str) -> None:
    assets, templates, other = roots
    url = url.replace("OTHER", other.as_uri()).replace("ASSETS", assets.as_uri())
    fetcher = make_fetcher((assets, templates), 5)
    with pytest.raises(RefusedFetch):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


# --- end to end: images, logo, and a template that tries to reach out -------------------------


@pytest.fixture(scope="session")
def image_build(tmp_path_factory: pytest.TempPathFactory) -> Project:
    proj = make_project(tmp_path_factory.mktemp("img") / "proj")
    (proj.source / "assets").mkdir(exist_ok=True)
    (proj.source / "assets" / "pillbox.png").write_bytes(png(80, 40, (200, 120, 40)))
    (proj.source / "assets" / "logo.png").write_bytes(png(60, 60))
    proj.set_config('color = "#1F5F7A"', 'color = "#1F5F7A"\nlogo = "logo.png"')
    proj.article(
        "pill-box",
        "Use a box.\n\n![A pill box with seven sections, one for each day](assets/pillbox.png)\n",
    )
    result = proj.run("pdf", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    return proj


def _figures(node: pikepdf.Object, out: list[str]) -> list[str]:
    if isinstance(node, pikepdf.Dictionary):
        if node.get("/S") == "/Figure":
            out.append(str(node.get("/Alt", "")))
        _figures(node.get("/K"), out)
    elif isinstance(node, pikepdf.Array):
        for child in node:
            _figures(child, out)
    return out


def test_images_and_logo_embedded_with_alt_text_in_tags(image_build: Project) -> None:
    with pikepdf.open(image_build.out("pill-box", ".pdf")) as pdf:
        images = list(pdf.pages[0].get_images())
        assert len(images) == 2  # the logo and the article's picture
        alts = _figures(pdf.Root.StructTreeRoot, [])
        assert "A pill box with seven sections, one for each day" in alts
        assert "Riverside Mind & Body Clinic logo" in alts


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Counter.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    """A local HTTP server that counts requests: a refused fetch must never reach it."""
    _Counter.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("kind", ["http", "file"])
def test_refused_fetch_fails_that_article_only(project: Project, listener: str, kind: str) -> None:
    url = f"{listener}/tracker.png" if kind == "http" else "/etc/hostname"
    # A template edit that would pull in something from outside, for one article only.
    tpl = project.root / "templates" / "handout.html.j2"
    text = tpl.read_text(encoding="utf-8")
    tpl.write_text(
        text.replace(
            "<main>",
            f'{{% if \'reach-out\' in meta.tags %}}<img src="{url}" alt="x">{{% endif %}}\n<main>',
        ),
        encoding="utf-8",
    )
    project.article("bad", "Some text.\n", tags="[reach-out]")
    project.article("good", "Other text.\n")
    result = project.run("pdf", "--jobs", "1")
    assert result.returncode == 1
    shown = url if kind == "http" else "file:///etc/hostname"
    assert (
        f"Error: render: bad.pdf: the handout may not read '{shown}': only files in "
        "source/assets/ and templates/ and data: URLs are allowed (no http, https or other files)"
    ) in result.stderr
    assert "Traceback" not in result.stderr
    assert not project.out("bad", ".pdf").exists()
    assert project.out("good", ".pdf").is_file()
    assert _Counter.hits == []
