"""The one exception root: every user-facing failure is a PublishError with a category."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class PublishError(Exception):
    """A problem the user can fix. The CLI prints it as one line, never a traceback.

    ``category`` is a short word (``source``, ``config``, ``disclaimers``, ``audit``, ...),
    ``path`` and ``line`` say where the problem is, ``message`` says what is wrong and
    what would be valid.
    """

    category = "error"

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        category: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        if category is not None:
            self.category = category

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        where = self.location()
        return f"{self.category}: {where}: {self.message}" if where else f"{self.category}: {self.message}"


class ConfigError(PublishError):
    """Bad ``[tool.publish]`` settings. ``lines`` holds every problem found at load, one line
    each with its key path (``tool.publish.brands.eastside.color: ...``); the CLI prints each."""

    category = "config"

    def __init__(
        self,
        message: str,
        *,
        lines: Sequence[str] = (),
        path: str | Path | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message, path=path, line=line)
        self.lines: tuple[str, ...] = tuple(lines) or (message,)


class SourceError(PublishError):
    """A bad article: front matter, encoding, limits, Markdown."""

    category = "source"


class RegistryError(PublishError):
    """A bad ``source/disclaimers.yaml`` or an unknown disclaimer id."""

    category = "disclaimers"


class RenderError(PublishError):
    """A renderer refused its input (a forbidden URL, a time limit, a missing setting)."""

    category = "render"


class AuditError(PublishError):
    """A rendered output is missing an approved disclaimer or the review line."""

    category = "audit"


class LockError(PublishError):
    """Another build holds the lock on ``build/``."""

    category = "lock"
