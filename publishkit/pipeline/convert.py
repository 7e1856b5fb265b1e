"""Disclaimer Markdown converted once per worker, with the same checks an article body gets, and
kept in build/.disclaimers.json for the next command (see disclaimerstore.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import PublishError, RegistryError
from ..formats._plain import bind_ast_markers, unbind
from ..formats.context import DisclaimerText
from ..kit import doctree
from ..kit.pandoc import WriteJob, read_many, write_many
from ..model.assets import checked_ast
from ..model.registry import Disclaimer, Registry
from ..model.settings import Settings
from .disclaimerstore import DisclaimerStore


@dataclass(frozen=True)
class Converted:
    """One disclaimer ready for the outputs, or why it cannot be used (its registry file and line)."""

    text: DisclaimerText | None
    error: PublishError | None = None
    warnings: tuple[PublishError, ...] = ()


# Converted disclaimers by (registry path, registry sha256, id): a worker converts each applying
# disclaimer once, not once per chunk (each conversion is two pandoc starts).
_DISCLAIMERS: dict[tuple[str, str, str], Converted] = {}


def disclaimer_texts(
    registry: Registry, needed: Sequence[Disclaimer], settings: Settings
) -> dict[str, Converted]:
    """The ``needed`` wordings (each disclaimer in the languages asked for), by ``Disclaimer.key``."""
    key = (str(registry.path), registry.sha256)
    wanted = {d.key: d for d in needed}
    todo = [d for k, d in wanted.items() if (*key, k) not in _DISCLAIMERS]
    if todo:
        store = DisclaimerStore(settings)
        fresh = []
        for d in todo:
            kept = store.get(d)
            if kept is None:
                fresh.append(d)
            else:  # converted by an earlier command from the same Markdown, by the same code
                _DISCLAIMERS[(*key, d.key)] = Converted(DisclaimerText(d, *kept))
        if fresh:
            converted = _convert_disclaimers(registry, fresh, settings)
            for d in fresh:
                _DISCLAIMERS[(*key, d.key)] = done = converted[d.key]
                if done.text is not None and done.error is None and not done.warnings:
                    store.put(d, done.text)
            store.save()
    return {k: _DISCLAIMERS[(*key, k)] for k in wanted}


def _convert_disclaimers(
    registry: Registry, entries: list[Disclaimer], settings: Settings
) -> dict[str, Converted]:
    """The registry's Markdown gets the article's checks: a bad image fails only the outputs that
    carry that disclaimer, with the registry's file and line."""
    parsed = read_many({d.key: d.text for d in entries}, settings.limits.pandoc_timeout)
    out: dict[str, Converted] = {}
    asts: dict[str, tuple[doctree.AST, list[PublishError]]] = {}
    for d in entries:
        try:
            if d.key in parsed.errors:
                raise RegistryError(
                    f"disclaimer '{d.id}' could not be read: {parsed.problem(d.key, 'read the Markdown')}",
                    path=registry.path,
                    line=d.line,
                )
            asts[d.key] = checked_ast(
                parsed.values[d.key],
                settings.assets_dir,
                path=registry.path,
                line_of=lambda _s, d=d: d.line,  # type: ignore[misc]
                error=RegistryError,
                max_depth=settings.limits.max_tree_depth,
            )
        except PublishError as exc:
            out[d.key] = Converted(None, exc)
    # Plain text: a marker-like word ("–", "1.") is held to the word before it, so no line reads as a list.
    jobs = [WriteJob(f"{i}:html5", asts[i][0], "html5") for i in asts]
    jobs += [WriteJob(f"{i}:plain", bind_ast_markers(asts[i][0]), "plain") for i in asts]
    written = write_many(jobs, settings.limits.pandoc_timeout) if jobs else None
    for d in entries:
        if d.key in asts and written is not None:
            ast, warnings = asts[d.key]
            text = DisclaimerText(
                entry=d,
                html=written.values[f"{d.key}:html5"],
                plain=unbind(written.values[f"{d.key}:plain"]),
                ast=ast["blocks"],
            )
            out[d.key] = Converted(text, None, tuple(warnings))
    return out
