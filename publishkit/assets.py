"""Image targets in articles: only files under source/assets/, checked before any renderer runs."""

from __future__ import annotations

from pathlib import Path

from .article import Article
from .errors import SourceError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")


def find_line(article: Article, needle: str) -> int:
    offset = article.body.find(needle)
    return article.line_of(offset) if offset >= 0 else article.body_line


def resolve_image(src: str, article: Article, assets_dir: Path) -> Path:
    """The real file behind ``![alt](src)``; anything outside source/assets/ is refused."""
    line = find_line(article, src)
    valid = "write images as ![description](assets/picture.png) with the file in source/assets/"
    if "://" in src or src.startswith(("//", "data:", "file:")):
        raise SourceError(f"image '{src}' is not a local file; {valid}", path=article.path, line=line)
    if not src.startswith("assets/"):
        raise SourceError(f"image '{src}' is outside source/assets/; {valid}", path=article.path, line=line)
    root = assets_dir.resolve()
    target = (assets_dir.parent / src).resolve()
    if root not in target.parents:
        raise SourceError(f"image '{src}' is outside source/assets/; {valid}", path=article.path, line=line)
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        raise SourceError(
            f"image '{src}' is not a picture; allowed: {', '.join(IMAGE_SUFFIXES)}",
            path=article.path,
            line=line,
        )
    if not target.is_file():
        raise SourceError(f"image '{src}' does not exist in source/assets/", path=article.path, line=line)
    return target
