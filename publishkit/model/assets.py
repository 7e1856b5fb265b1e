"""Images and links in any Markdown we convert (articles, the registry): only files in source/assets/."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from ..errors import PublishError, RenderError, SourceError
from ..kit import doctree
from ..kit.doctree import AST
from ..kit.fsutil import UnsafePath, open_beneath
from .article import Article
from .types import IMAGE_SUFFIXES

VALID = "write images as ![description](assets/picture.png) with the file in source/assets/"


def find_line(article: Article, needle: str) -> int:
    offset = article.body.find(needle)
    return article.line_of(offset) if offset >= 0 else article.body_line


def real_assets(assets_dir: Path) -> Path:
    """Where source/assets/ really is. Only its parent is resolved: assets/ itself and everything in
    it are opened without following symlinks, so this is the real path of every file we accept."""
    return assets_dir.parent.resolve() / assets_dir.name


def asset_parts(name: str) -> list[str]:
    """``name`` (a path inside source/assets/) as the names to open one by one."""
    return name.split("/")


def open_asset(assets_dir: Path, parts: list[str]) -> int:
    """A descriptor for source/assets/<parts>: no symlink on the way, assets/ itself included."""
    return open_beneath(assets_dir.parent, [assets_dir.name, *parts])


def locate_image(
    src: str, assets_dir: Path, *, path: Path, line: int, error: type[PublishError] = SourceError
) -> Path:
    """The real path of the file behind ``![alt](src)``; anything but a file in source/assets/ is
    refused with ``error`` at ``path``:``line``."""
    if "://" in src or src.startswith(("//", "data:", "file:")):
        raise error(f"image '{src}' is not a local file; {VALID}", path=path, line=line)
    rel = src.removeprefix("assets/")
    parts = asset_parts(rel)
    if not src.startswith("assets/") or any(p in ("", ".", "..") for p in parts):
        raise error(f"image '{src}' is outside source/assets/; {VALID}", path=path, line=line)
    if unquote(src) != src:
        # pandoc and URL readers decode %-escapes, so the name would mean another file to them.
        raise error(
            f"image '{src}' has a %-escape in its name, which a reader would decode into another "
            "name; rename the picture without '%'",
            path=path,
            line=line,
        )
    if Path(rel).suffix.lower() not in IMAGE_SUFFIXES:
        raise error(
            f"image '{src}' is not a picture; allowed: {', '.join(IMAGE_SUFFIXES)}", path=path, line=line
        )
    try:
        os.close(open_asset(assets_dir, parts))
    except UnsafePath as exc:
        if exc.reason == "does not exist":
            raise error(f"image '{src}' does not exist in source/assets/", path=path, line=line) from None
        raise error(
            f"image '{src}': source/{exc.name} {exc.reason}; pictures must be real files in a real "
            "source/assets/ folder, not links to files elsewhere",
            path=path,
            line=line,
        ) from None
    return real_assets(assets_dir).joinpath(*parts)


def resolve_image(src: str, article: Article, assets_dir: Path) -> Path:
    """The real file behind ``![alt](src)`` in an article; anything outside source/assets/ is refused."""
    return locate_image(src, assets_dir, path=article.path, line=find_line(article, src))


def checked_ast(
    json_text: str,
    assets_dir: Path,
    *,
    path: Path,
    line_of: Callable[[str], int],
    error: type[PublishError],
    max_depth: int,
) -> tuple[AST, list[PublishError]]:
    """pandoc's AST of Markdown we convert, made safe to write: raw passthrough removed and links
    that are not web, mail, phone or in-page unwrapped (both reported as warnings), and every image
    pointed at the real path of its file in source/assets/ (anything else raises ``error``)."""
    ast, removed = doctree.load_stripped(json_text, max_depth, path)
    ast, unlinked = doctree.unsafe_links(ast)
    warnings: list[PublishError] = [
        error(
            f"raw HTML is not allowed and was left out: {raw[:60]!r}",
            path=path,
            line=line_of(raw),
            category="warning",
        )
        for raw in removed[:3]
    ]
    warnings += [
        error(
            f"link to {target[:60]!r} was kept as plain text: links must start with "
            "https://, http://, mailto:, tel: or #",
            path=path,
            line=line_of(target),
            category="warning",
        )
        for target in unlinked[:3]
    ]
    images = {
        src: str(locate_image(src, assets_dir, path=path, line=line_of(src), error=error))
        for src, _alt in doctree.images(ast)
    }
    return doctree.map_images(ast, lambda s: images.get(s, s)), warnings


def media_copies(ast: AST, assets_dir: Path, media: Path) -> AST:
    """``ast`` with every image pointed at a copy in ``media`` named by its SHA-256 (``<hex>.png``).

    pandoc opens image files itself and reinterprets names (it decodes %-escapes), so it only ever
    gets these names, run with ``media`` as its working folder: nothing it could read as another
    file. Each copy is made from the file opened again without following symlinks. A target that
    is not a validated file in source/assets/ is refused: nothing else may reach the DOCX."""
    root = real_assets(assets_dir)
    done: dict[str, str] = {}

    def copy(target: str) -> str:
        if target in done:
            return done[target]
        p = Path(target)
        if not p.is_absolute() or root not in p.parents:
            raise RenderError(f"image '{target}' was not checked; only files in source/assets/ are allowed")
        parts = list(p.relative_to(root).parts)
        try:
            fd = open_asset(assets_dir, parts)
        except UnsafePath as exc:
            raise RenderError(f"image 'assets/{'/'.join(parts)}': source/{exc.name} {exc.reason}") from None
        digest = hashlib.sha256()
        with os.fdopen(fd, "rb") as src, tempfile.NamedTemporaryFile(dir=media, delete=False) as out:
            while block := src.read(1 << 20):
                digest.update(block)
                out.write(block)
        name = digest.hexdigest() + p.suffix.lower()
        os.replace(out.name, media / name)
        done[target] = name
        return name

    return doctree.map_images(ast, copy)
