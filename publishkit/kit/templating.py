"""The one Jinja2 environment: templates from templates/ only, autoescaped, strict about undefined names."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a template is rendered: a build with nothing to do needs none
    from jinja2 import Environment


def _autoescape(name: str | None) -> bool:
    # Everything but plain-text templates is HTML and is escaped.
    return not (name or "").endswith(".txt.j2")


def long_date(value: date) -> str:
    """'November 1, 2026': spelled out, so nobody misreads 01/11 as January or November."""
    return f"{value:%B} {value.day}, {value.year}"


def make_environment(templates_dir: Path) -> Environment:
    """Article text never passes through here as a template: it reaches templates as data only.

    One per folder and process: a watching process compiles each template once and Jinja reloads
    one whose file changed (auto_reload, by mtime)."""
    key = templates_dir.resolve()
    if key not in _ENVIRONMENTS:
        _ENVIRONMENTS[key] = _new_environment(templates_dir)
    return _ENVIRONMENTS[key]


_ENVIRONMENTS: dict[Path, Environment] = {}


def _new_environment(templates_dir: Path) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=_autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    env.filters["long_date"] = long_date
    return env
