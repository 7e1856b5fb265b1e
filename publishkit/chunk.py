"""The work for a chunk of articles: convert in one pandoc batch, render, audit, write atomically."""

from __future__ import annotations

import tempfile
import traceback
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from . import doctree
from .article import Article
from .assets import find_line, resolve_image
from .audit import EXTRACTORS, Requirement, audit
from .cachekey import hash_files, template_paths, tool_versions
from .config import Settings
from .context import Body, DisclaimerText, RenderContext
from .disclaimers import Disclaimer, Registry
from .errors import PublishError, RenderError, SourceError
from .fsutil import sha256, write_atomic
from .manifest import ManifestEntry
from .outcome import Outcome
from .pandoc import WriteJob, read_many, write_many
from .renderers import REGISTRY
from .templating import make_environment
from .treedepth import TOO_DEEP

# --- the work for a chunk of articles (runs in a worker process when --jobs > 1) -------------


@dataclass(frozen=True)
class Task:
    article: Article
    disclaimers: tuple[Disclaimer, ...]
    formats: tuple[str, ...]
    keys: dict[str, str]


# Converted disclaimers by (registry path, registry sha256, id): a worker converts each applying
# disclaimer once, not once per chunk (each conversion is two pandoc starts).
_DISCLAIMERS: dict[tuple[str, str, str], DisclaimerText] = {}


def _disclaimer_texts(
    registry: Registry, needed: set[str], settings: Settings, tmp: Path
) -> dict[str, DisclaimerText]:
    known = {
        d.id: _DISCLAIMERS[(str(registry.path), registry.sha256, d.id)]
        for d in registry.entries
        if d.id in needed and (str(registry.path), registry.sha256, d.id) in _DISCLAIMERS
    }
    entries = [d for d in registry.entries if d.id in needed and d.id not in known]
    if not entries:
        return known
    converted = _convert_disclaimers(registry, entries, settings)
    for d_id, text in converted.items():
        _DISCLAIMERS[(str(registry.path), registry.sha256, d_id)] = text
    return {**known, **converted}


def _convert_disclaimers(
    registry: Registry, entries: list[Disclaimer], settings: Settings
) -> dict[str, DisclaimerText]:
    parsed = read_many({d.id: d.text for d in entries}, settings.limits.pandoc_timeout)
    asts = {}
    for d in entries:
        try:
            if d.id in parsed.errors:
                raise RenderError(parsed.errors[d.id])
            ast, _removed = doctree.load_stripped(parsed.values[d.id], settings.limits.max_tree_depth)
        except PublishError as exc:
            raise RenderError(
                f"disclaimer '{d.id}' could not be read: {exc.message}", path=registry.path
            ) from None
        asts[d.id] = ast
    jobs = [WriteJob(f"{d.id}:{w}", asts[d.id], w) for d in entries for w in ("html5", "plain")]
    written = write_many(jobs, settings.limits.pandoc_timeout)
    for key, error in written.errors.items():
        raise RenderError(
            f"disclaimer '{key.split(':')[0]}' could not be written: {error}", path=registry.path
        )
    return {
        d.id: DisclaimerText(
            entry=d,
            html=written.values[f"{d.id}:html5"],
            plain=written.values[f"{d.id}:plain"],
            ast=asts[d.id]["blocks"],
        )
        for d in entries
    }


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
            dtexts = _disclaimer_texts(registry, needed, settings, tmp)
            parsed = read_many(
                {t.article.slug: t.article.body for t in tasks}, settings.limits.pandoc_timeout
            )
        except PublishError as exc:
            return (
                [Outcome(t.article.slug, f, "failed", error=exc) for t in tasks for f in t.formats],
                [],
                "",
            )

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
                depth = settings.limits.max_tree_depth
                ast, removed = doctree.load_stripped(parsed.values[art.slug], depth, art.path)
                ast, unlinked = doctree.unsafe_links(ast)
                for raw in removed[:3]:
                    warnings.append(
                        SourceError(
                            f"raw HTML is not allowed and was left out: {raw[:60]!r}",
                            path=art.path,
                            line=find_line(art, raw),
                            category="warning",
                        )
                    )
                for target in unlinked[:3]:
                    warnings.append(
                        SourceError(
                            f"link to {target[:60]!r} was kept as plain text: links must start with "
                            "https://, http://, mailto:, tel: or #",
                            path=art.path,
                            line=find_line(art, target),
                            category="warning",
                        )
                    )
                mine = [w for w in warnings if w.path == str(art.path)]
                if strict and mine:
                    raise SourceError(
                        f"{mine[0].message} (--strict: warnings fail)",
                        path=art.path,
                        line=mine[0].line,
                    )
                images = {
                    src: resolve_image(src, art, settings.assets_dir) for src, _alt in doctree.images(ast)
                }
                ast = doctree.map_images(ast, lambda s, images=images: str(images.get(s, s)))  # type: ignore[misc]
                base = RenderContext(
                    article=art,
                    disclaimers=tuple(dtexts[d.id] for d in task.disclaimers),
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
                    for writer in renderer.pandoc:
                        out = str(tmp / f"{art.slug}.{fmt}.{writer}") if writer == "docx" else None
                        ref = renderer.reference_doc(settings) if writer == "docx" else None
                        jobs.append(
                            WriteJob(
                                f"{art.slug}\x1f{fmt}\x1f{writer}",
                                writer_asts.get(writer, fmt_ast),
                                writer,
                                out=out,
                                reference_doc=ref,
                            )
                        )
            except PublishError as exc:
                failed[art.slug] = exc
            except RecursionError:  # max_tree_depth set too high for this article's nesting
                failed[art.slug] = SourceError(TOO_DEEP, path=art.path)
        try:
            written = write_many(jobs, settings.limits.pandoc_timeout) if jobs else None
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
        for writer in renderer.pandoc:
            key = f"{art.slug}\x1f{fmt}\x1f{writer}"
            if key in written.stopped:  # a time limit: the article, not this output, is to blame
                raise RenderError(written.errors[key], path=art.path)
            if key in written.errors:
                raise RenderError(f"pandoc could not write {writer}: {written.errors[key]}", path=name)
            value = written.values[key]
            outputs[writer] = Path(value).read_bytes() if writer == "docx" else value
        fmt_ast, extra = extras[(art.slug, fmt)]
        ctx = replace(base, bodies={fmt: Body(ast=fmt_ast, outputs=outputs, extra=extra)})
        data = renderer.render(ctx)
        extracted = EXTRACTORS[renderer.audit_kind](data)
        requirements = [Requirement(d.id, doctree.stringify(d.ast), d.short) for d in ctx.disclaimers]
        audit(name, extracted, requirements, ctx.review_line, marks=[ctx.review_status.mark])
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
        pages=len(extracted.pages) if renderer.audit_kind == "pdf" else None,
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
        with tempfile.TemporaryDirectory(prefix="publishkit-") as tmp:
            _disclaimer_texts(registry, {d.id for d in registry.entries}, settings, Path(tmp))
    except Exception:
        pass
