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


def _rel(path: str | None, root: Path) -> str | None:
    if path is None:
        return None
    # Only the folder is resolved: the file may be a symlink we refused, and its name is the point.
    where = Path(path).absolute()
    try:
        return str((where.parent.resolve() / where.name).relative_to(root.resolve()))
    except ValueError:
        return path


def format_error(exc: PublishError, root: Path, prefix: str = "Error") -> str:
    """``Error: <category>: <file>:<line>: <message>`` with the file relative to the project;
    a settings error with several problems is one such line per problem."""
    rel = _rel(exc.path, root)
    where = f"{rel}:{exc.line}" if rel and exc.line else rel
    if where == exc.category:  # the source/ folder as a "source" error's place: "source: source:"
        where = None
    head = f"{prefix}: {exc.category}: {where}: " if where else f"{prefix}: {exc.category}: "
    messages = exc.lines if isinstance(exc, ConfigError) else (exc.message,)
    return "\n".join(head + message for message in messages)
