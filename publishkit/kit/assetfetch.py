"""The handout's URL fetcher for WeasyPrint: files beneath the allowed folders and data: URLs only."""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any

from .fsutil import UnsafePath, open_beneath


class RefusedFetch(Exception):
    """Raised by the fetcher for a URL outside what the handout may read."""


def _beneath(path: Path, roots: tuple[Path, ...]) -> tuple[Path, list[str]] | None:
    """(root, names below it) for an absolute ``path`` inside one of ``roots``, else None."""
    for root in roots:
        real = root.parent.resolve() / root.name  # the root itself is opened without following
        if path.is_absolute() and path.parts[: len(real.parts)] == real.parts:
            return real, list(path.parts[len(real.parts) :])
    return None


def make_fetcher(allowed: tuple[Path, ...], timeout: float) -> Any:
    """A WeasyPrint URLFetcher that reads only files under ``allowed`` and ``data:`` URLs.

    A file is read only at its real path under a real root: every name from the root down is opened
    without following symlinks (the root included), and ``..`` is refused. Everything else (http,
    https, ftp, other files, anything that would redirect) is refused, and because
    ``fail_on_errors`` is set, a refusal stops the render instead of becoming a warning."""
    from urllib.request import url2pathname  # ~20 ms to import: not when the formats are registered

    from weasyprint.urls import URLFetcher, URLFetcherResponse

    roots = tuple(allowed)

    class AssetFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(
                timeout=timeout,
                allowed_protocols={"file", "data"},
                allow_redirects=False,
                fail_on_errors=True,
            )
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = Path(url2pathname(url.split("?")[0].split("#")[0].removeprefix("file:")))
                found = _beneath(path, roots)
                if found is not None:
                    root, parts = found
                    try:
                        fd = open_beneath(root.parent, [root.name, *parts])
                    except UnsafePath:
                        fd = -1
                    if fd >= 0:
                        with os.fdopen(fd, "rb") as fh:
                            data = fh.read()
                        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                        return URLFetcherResponse(path.as_uri(), data, {"Content-Type": mime})
            self.refused.append(url)
            raise RefusedFetch(url)

    return AssetFetcher()
