"""The work for a chunk of articles: convert in one pandoc batch, render, audit, write atomically."""

from __future__ import annotations

import os
import tempfile
import traceback
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..audit.bands import Running
from ..audit.core import Requirement, audit
from ..audit.readers import READERS
from ..errors import PublishError, RegistryError, RenderError, SourceError
from ..formats import REGISTRY, Need
from ..formats.context import Body, DisclaimerText, RenderContext
from ..kit import doctree
from ..kit.fsutil import sha256, write_atomic
from ..kit.pandoc import WriteJob, read_many, write_many
from ..kit.templating import make_environment
from ..kit.treedepth import TOO_DEEP
from ..model.article import Article
from ..model.assets import checked_ast, find_line, media_copies
from ..model.registry import Disclaimer, Registry
from ..model.settings import Settings
from .cachekey import hash_files, template_paths, tool_versions
from .manifest import ManifestEntry
from .outcome import Outcome

# --- the work for a chunk of articles (runs in a worker process when --jobs > 1) -------------


@dataclass(frozen=True)
class Task:
    article: Article
    disclaimers: tuple[Disclaimer, ...]
    formats: tuple[str, ...]
    keys: dict[str, str]


@dataclass(frozen=True)
class Converted:
    """One disclaimer ready for the outputs, or why it cannot be used (its registry file and line)."""

    text: DisclaimerText | None
    error: PublishError | None = None
    warnings: tuple[PublishError, ...] = ()


# Converted disclaimers by (registry path, registry sha256, id): a worker converts each applying
# disclaimer once, not once per chunk (each conversion is two pandoc starts).
_DISCLAIMERS: dict[tuple[str, str, str], Converted] = {}


def _disclaimer_texts(registry: Registry, needed: set[str], settings: Settings) -> dict[str, Converted]:
    key = (str(registry.path), registry.sha256)
    todo = [d for d in registry.entries if d.id in needed and (*key, d.id) not in _DISCLAIMERS]
    if todo:
        for d_id, converted in _convert_disclaimers(registry, todo, settings).items():
            _DISCLAIMERS[(*key, d_id)] = converted
    return {d.id: _DISCLAIMERS[(*key, d.id)] for d in registry.entries if d.id in needed}


def _convert_disclaimers(
    registry: Registry, entries: list[Disclaimer], settings: Settings
) -> dict[str, Converted]:
    """The registry's Markdown gets the article's checks: a bad image fails only the outputs that
    carry that disclaimer, with the registry's file and line."""
    parsed = read_many({d.id: d.text for d in entries}, settings.limits.pandoc_timeout)
    out: dict[str, Converted] = {}
    asts: dict[str, tuple[doctree.AST, list[PublishError]]] = {}
    for d in entries:
        try:
            if d.id in parsed.errors:
                raise RegistryError(
                    f"disclaimer '{d.id}' could not be read: {parsed.problem(d.id, 'read the Markdown')}",
                    path=registry.path,
                    line=d.line,
                )
            asts[d.id] = checked_ast(
                parsed.values[d.id],
                settings.assets_dir,
                path=registry.path,
                line_of=lambda _s, d=d: d.line,  # type: ignore[misc]
                error=RegistryError,
                max_depth=settings.limits.max_tree_depth,
            )
        except PublishError as exc:
            out[d.id] = Converted(None, exc)
    jobs = [WriteJob(f"{i}:{w}", asts[i][0], w) for i in asts for w in ("html5", "plain")]
    written = write_many(jobs, settings.limits.pandoc_timeout) if jobs else None
    for d in entries:
        if d.id in asts and written is not None:
            ast, warnings = asts[d.id]
            text = DisclaimerText(
                entry=d,
                html=written.values[f"{d.id}:html5"],
                plain=written.values[f"{d.id}:plain"],
                ast=ast["blocks"],
            )
            out[d.id] = Converted(text, None, tuple(warnings))
    return out


def build_chunk(
    settings: Settings,
    registry: Registry,
    tasks: list[Task],
    built_at: datetime,
    strict: bool = False,
) -> tuple[list[Outcome], list[PublishError], str]:
    """Convert, render, audit and write every output of ``tasks``. Never raises a PublishError:
    each failure is an Outcome, so one bad article never costs the others their outputs."""
    outcomes: list[Outcome] = []
    warnings: list[PublishError] = []
    env = make_environment(settings.templates_dir)
    versions = tool_versions()
    with tempfile.TemporaryDirectory(prefix="publishkit-") as tmpdir:
        tmp = Path(tmpdir)
        try:
            needed = {d.id for t in tasks for d in t.disclaimers}
            dtexts = _disclaimer_texts(registry, needed, settings)
            parsed = read_many(
                {t.article.slug: t.article.body for t in tasks}, settings.limits.pandoc_timeout
            )
        except PublishError as exc:
            return (
                [Outcome(t.article.slug, f, "failed", error=exc) for t in tasks for f in t.formats],
                [],
                "",
            )
        for converted in dtexts.values():
            warnings.extend(converted.warnings)
        media = tmp / "media"  # pandoc's working folder: the checked images under their hashes
        media.mkdir()

        # Per article: raw passthrough removed, images checked, per-format ASTs prepared.
        contexts: dict[str, RenderContext] = {}
        jobs: list[WriteJob] = []
        extras: dict[tuple[str, str], tuple[doctree.AST, dict[str, Any]]] = {}
        failed: dict[str, PublishError] = {}
        for task in tasks:
            art = task.article
            try:
                if art.slug in parsed.errors:
                    raise SourceError(parsed.problem(art.slug, "read the Markdown"), path=art.path)
                if bad := next((c.error for d in task.disclaimers if (c := dtexts[d.id]).error), None):
                    raise bad  # a disclaimer this article carries cannot be used
                ast, mine = checked_ast(
                    parsed.values[art.slug],
                    settings.assets_dir,
                    path=art.path,
                    line_of=lambda s, art=art: find_line(art, s),  # type: ignore[misc]
                    error=SourceError,
                    max_depth=settings.limits.max_tree_depth,
                )
                warnings.extend(mine)
                if strict and mine:
                    raise SourceError(
                        f"{mine[0].message} (--strict: warnings fail)",
                        path=art.path,
                        line=mine[0].line,
                    )
                base = RenderContext(
                    article=art,
                    disclaimers=tuple(t for d in task.disclaimers if (t := dtexts[d.id].text)),
                    settings=settings,
                    built_at=built_at,
                    env=env,
                    bodies={},
                )
                contexts[art.slug] = base
                for fmt in task.formats:
                    renderer = REGISTRY[fmt]
                    fmt_ast, extra = renderer.prepare_ast(doctree.for_format(ast, renderer.visibility), base)
                    extras[(art.slug, fmt)] = (fmt_ast, extra)
                    writer_asts = extra.get("writer_asts", {})  # a writer may need its own AST
                    for need in renderer.needs:
                        jobs.append(
                            _write_job(settings, tmp, media, art.slug, fmt, need, writer_asts, fmt_ast)
                        )
            except PublishError as exc:
                failed[art.slug] = exc
            except RecursionError:  # max_tree_depth set too high for this article's nesting
                failed[art.slug] = SourceError(TOO_DEEP, path=art.path)
        try:
            written = write_many(jobs, settings.limits.pandoc_timeout, cwd=media) if jobs else None
        except PublishError as exc:
            return (
                [Outcome(t.article.slug, f, "failed", error=exc) for t in tasks for f in t.formats],
                warnings,
                "",
            )

        for task in tasks:
            art = task.article
            for fmt in task.formats:
                if art.slug in failed:
                    outcomes.append(Outcome(art.slug, fmt, "failed", error=failed[art.slug]))
                    continue
                outcomes.append(
                    _render_one(
                        settings,
                        registry,
                        task,
                        fmt,
                        contexts[art.slug],
                        extras,
                        written,
                        built_at,
                        versions,
                    )
                )
    return outcomes, warnings, written.version if written else ""


def _write_job(
    settings: Settings,
    tmp: Path,
    media: Path,
    slug: str,
    fmt: str,
    need: Need,
    writer_asts: dict[str, doctree.AST],
    fmt_ast: doctree.AST,
) -> WriteJob:
    """The pandoc job for one writer a format needs. A binary writer writes a file and opens the
    images the AST names: it gets the checked copies in ``media``, never the originals."""
    writer = need.writer
    ast = writer_asts.get(writer, fmt_ast)
    if not need.binary:
        return WriteJob(f"{slug}\x1f{fmt}\x1f{writer}", ast, writer)
    ref = os.path.abspath(settings.templates_dir / need.reference_doc) if need.reference_doc else None
    return WriteJob(
        f"{slug}\x1f{fmt}\x1f{writer}",
        media_copies(ast, settings.assets_dir, media),
        writer,
        binary=True,
        out=str(tmp / f"{slug}.{fmt}.{writer}"),
        reference_doc=ref,
    )


def _render_one(
    settings: Settings,
    registry: Registry,
    task: Task,
    fmt: str,
    base: RenderContext,
    extras: dict[tuple[str, str], tuple[doctree.AST, dict[str, Any]]],
    written: Any,
    built_at: datetime,
    versions: dict[str, str],
) -> Outcome:
    art = task.article
    renderer = REGISTRY[fmt]
    name = renderer.filename(art.slug)
    try:
        outputs: dict[str, Any] = {}
        for need in renderer.needs:
            writer = need.writer
            key = f"{art.slug}\x1f{fmt}\x1f{writer}"
            if key in written.stopped:  # a time limit: the article, not this output, is to blame
                raise RenderError(written.errors[key], path=art.path)
            if key in written.errors:
                raise RenderError(f"pandoc could not write {writer}: {written.errors[key]}", path=name)
            value = written.values[key]
            outputs[writer] = Path(value).read_bytes() if need.binary else value
        fmt_ast, extra = extras[(art.slug, fmt)]
        ctx = replace(base, bodies={fmt: Body(ast=fmt_ast, outputs=outputs, extra=extra)})
        data = renderer.render(ctx)
        extracted = READERS[renderer.reader].read(data)
        requirements = [Requirement(d.id, doctree.stringify(d.ast), d.short) for d in ctx.disclaimers]
        running = Running(settings.brand.name, art.meta.title)
        audit(name, extracted, requirements, ctx.review_line, [ctx.review_status.mark], running)
        rel = f"{art.slug}/{name}"
        write_atomic(settings.build_dir / rel, data)
    except PublishError as exc:
        return Outcome(art.slug, fmt, "failed", error=exc)
    except RecursionError:  # WeasyPrint lays out nested boxes recursively
        return Outcome(art.slug, fmt, "failed", error=RenderError(TOO_DEEP, path=art.path))
    except Exception as exc:  # a bug, not a user's mistake: keep the traceback, build the rest
        traceback.print_exc()
        return Outcome(
            art.slug,
            fmt,
            "failed",
            error=PublishError(f"internal error: {exc!r}", path=name, category="internal"),
        )
    entry = ManifestEntry(
        path=rel,
        slug=art.slug,
        format=fmt,
        sha256=sha256(data),
        bytes=len(data),
        disclaimers=tuple(d.id for d in task.disclaimers),
        registry_sha256=registry.sha256,
        source_sha256=art.sha256,
        templates_sha256=hash_files(template_paths(settings, renderer)),
        key=task.keys[fmt],
        built_at=built_at.isoformat(),
        versions={**versions, "pandoc": written.version},
        pages=len(extracted.pages) if extracted.unit == "page" else None,
    )
    return Outcome(art.slug, fmt, "built", path=rel, size=len(data), entry=entry)


def run_chunk(
    args: tuple[Settings, Registry, list[Task], datetime, bool],
) -> tuple[list[Outcome], list[PublishError], str]:
    return build_chunk(*args)


def warm_worker(settings: Settings, registry: Registry, formats: tuple[str, ...]) -> None:
    """Load what rendering needs ahead of the first article. Only a head start: a failure here
    is left for the real render to report."""
    try:
        for fmt in formats:
            REGISTRY[fmt].warm_up(settings)
        _disclaimer_texts(registry, {d.id for d in registry.entries}, settings)
    except Exception:
        pass
