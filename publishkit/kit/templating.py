"""Jinja2 environments, one per templates folder and language: autoescaped, strict about undefined names."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .eastasian import columns
from .i18n import long_date, translator

if TYPE_CHECKING:  # imported when a template is rendered: a build with nothing to do needs none
    from jinja2 import Environment


def _autoescape(name: str | None) -> bool:
    # Everything but plain-text templates is HTML and is escaped.
    return not (name or "").endswith(".txt.j2")


def make_environment(templates_dir: Path, language: str = "en") -> Environment:
    """Article text never passes through here as a template: it reaches templates as data only.

    One per folder, language catalog and process: a watching process compiles each template once
    and Jinja reloads one whose file changed (auto_reload, by mtime). Templates write the tool's
    own words as ``_("Important information")`` (jinja2.ext.i18n, new-style gettext: ``{name}``
    placeholders are filled with ``.format``, which escapes the values in HTML templates)."""
    t = translator(templates_dir, language)
    key = (templates_dir.resolve(), t.locale, id(t.translations) if t.catalog else 0)
    if key not in _ENVIRONMENTS:
        env = _new_environment(templates_dir)
        env.install_gettext_translations(t.translations, newstyle=True)  # type: ignore[attr-defined]
        _ENVIRONMENTS[key] = env
    return _ENVIRONMENTS[key]


_ENVIRONMENTS: dict[tuple[Path, str, int], Environment] = {}


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
        extensions=["jinja2.ext.i18n"],
    )
    env.filters["long_date"] = long_date
    env.filters["columns"] = columns  # a rule under a Chinese title is as wide as the title
    return env
