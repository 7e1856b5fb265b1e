"""Settings as a command loads them: [tool.publish] checked, then what each format asks of them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import ConfigError
from ..formats import problems
from ..model.settings import Settings, load_settings


def load_checked_settings(root: Path, formats: Sequence[str]) -> Settings:
    """``load_settings``, then every format's own rules (``Format.validate``) for ``formats``:
    all their problems at once, one line each, before any article is read."""
    settings = load_settings(root)
    lines = problems(settings, formats)
    if lines:
        raise ConfigError(lines[0], lines=lines, path=root / "pyproject.toml")
    return settings
