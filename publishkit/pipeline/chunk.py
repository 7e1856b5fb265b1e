"""The work for a chunk of articles: convert in one pandoc batch, render, audit, write atomically."""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import PublishError, SourceError
from ..formats import REGISTRY
from ..formats.context import RenderContext
from ..kit import doctree
from ..kit.pandoc import BatchResult, WriteJob, read_many, write_many
from ..kit.templating import make_environment
from ..kit.treedepth import TOO_DEEP
from ..model.approval import ApprovalState
from ..model.article import Article
from ..model.assets import checked_ast, find_line, media_copies
from ..model.registry import Disclaimer, Registry
from ..model.settings import Settings
from . import headstart
from .cachekey import tool_versions
from .convert import Converted, disclaimer_texts
from .outcome import Outcome
from .plan import Job
from .render import Rendering, failed_outcome, render_all

# --- the work for a chunk of articles (runs in a worker process when --jobs > 1) -------------


@dataclass(frozen=True)
class Task:
    """One article's jobs to build, each with its cache key, and its disclaimers per clinic."""

    article: Article
    disclaimers: dict[str, tuple[Disclaimer, ...]]  # by clinic id
    jobs: tuple[tuple[Job, str], ...]
    approvals: dict[str, ApprovalState] = field(default_factory=dict)  # by clinic id

    def failed(self, exc: PublishError) -> list[Outcome]:
        return [failed_outcome(job, exc) for job, _key in self.jobs]


def build_chunk(
    settings: Settings,
    registries: dict[str, Registry],
    tasks: list[Task],
    built_at: datetime,
    strict: bool = False,
    helper: Executor | None = None,
) -> tuple[list[Outcome], list[PublishError], str]:
    """Convert, render, audit and write every output of ``tasks`` (the laid-out ones in
    ``helper`` when given: see render.py). Never raises a PublishError: each failure is an
    Outcome, so one bad article never costs the others their outputs."""
    with tempfile.TemporaryDirectory(prefix="publishkit-") as tmpdir:
        tmp = Path(tmpdir)
        try:
            prepared = prepare(settings, registries, tasks, built_at, strict, tmp)
        except PublishError as exc:
            return [o for t in tasks for o in t.failed(exc)], [], ""
        warnings = chunk_warnings(settings, registries, tasks, prepared)
        try:
            written = write_many(prepared.jobs, settings.limits.pandoc_timeout, cwd=tmp / "media")
        except PublishError as exc:
            return [o for t in tasks for o in t.failed(exc)], warnings, ""
        outcomes = render_all(settings, registries, jobs_of(tasks), prepared.rendering(written), helper)
    return outcomes, warnings, written.version


@dataclass
class Prepared:
    """A chunk ready for pandoc's writers: each output's context and its format's AST, the write
    jobs, the articles that failed already and what reading each article's body warned of."""

    contexts: dict[tuple[str, ...], RenderContext]
    extras: dict[str, tuple[doctree.AST, dict[str, Any]]]
    jobs: list[WriteJob]
    failed: dict[str, PublishError]  # by slug
    warnings: dict[str, list[PublishError]]  # by slug

    def rendering(self, written: BatchResult) -> Rendering:
        return Rendering(self.contexts, self.extras, written, tool_versions(), self.failed)


def jobs_of(tasks: list[Task]) -> list[tuple[Job, str]]:
    return [jk for t in tasks for jk in t.jobs]


def prepare(
    settings: Settings,
    registries: dict[str, Registry],
    tasks: list[Task],
    built_at: datetime,
    strict: bool,
    tmp: Path,
) -> Prepared:
    """Read the articles (one pandoc process), clean each format's AST and list pandoc's writes;
    binary writes go to ``tmp`` with the checked images in ``tmp/media``. Raises a PublishError
    only when the whole chunk fails (the disclaimers or the read); an article fails alone."""
    env = make_environment(settings.templates_dir)
    dtexts = _converted(settings, registries, tasks)
    parsed = read_many({t.article.slug: t.article.body for t in tasks}, settings.limits.pandoc_timeout)
    media = tmp / "media"  # pandoc's working folder: the checked images under their hashes
    media.mkdir()
    out = Prepared({}, {}, [], {}, {})
    laid_out: list[WriteJob] = []  # the handouts' writes first: their layout, the longest, starts soonest
    for task in tasks:
        mine = out.warnings.setdefault(task.article.slug, [])
        try:
            ast = _checked(settings, task.article, parsed, mine, strict)
            for job, _key in task.jobs:
                ctx = _context(settings, task, job, dtexts, built_at, env)
                out.contexts[job.manifest_key] = ctx
                writes = _write_jobs(settings, job, ast, ctx, out.extras, tmp, media)
                (laid_out if REGISTRY[job.format].offload else out.jobs).extend(writes)
        except PublishError as exc:
            out.failed[task.article.slug] = exc
        except RecursionError:  # max_tree_depth set too high for this article's nesting
            out.failed[task.article.slug] = SourceError(TOO_DEEP, path=task.article.path)
    out.jobs[:0] = laid_out
    return out


def chunk_warnings(
    settings: Settings, registries: dict[str, Registry], tasks: list[Task], prepared: Prepared
) -> list[PublishError]:
    """The warnings of ``tasks`` (the applying disclaimers', then each article's), each once:
    only the tasks given, so an article the content check stopped after ``prepare`` warns of
    nothing, as when it was never converted."""
    warnings: list[PublishError] = []
    for by_id in _converted(settings, registries, tasks).values():
        warnings.extend(w for c in by_id.values() for w in c.warnings if w not in warnings)
    for task in tasks:
        warnings.extend(prepared.warnings.get(task.article.slug, ()))
    return warnings


def _converted(
    settings: Settings, registries: dict[str, Registry], tasks: list[Task]
) -> dict[str, dict[str, Converted]]:
    """Each clinic's applying disclaimers, converted (once per worker: see convert.py)."""
    brands = {job.variant.brand for t in tasks for job, _key in t.jobs}
    return {
        brand: disclaimer_texts(
            registries[brand], [d for t in tasks for d in t.disclaimers.get(brand, ())], settings
        )
        for brand in sorted(brands)
    }


def _checked(
    settings: Settings, art: Article, parsed: Any, warnings: list[PublishError], strict: bool
) -> doctree.AST:
    """The article's AST with raw passthrough removed, unsafe links unwrapped, images checked."""
    if art.slug in parsed.errors:
        raise SourceError(parsed.problem(art.slug, "read the Markdown"), path=art.path)
    ast, mine = checked_ast(
        parsed.values[art.slug],
        settings.assets_dir,
        path=art.path,
        line_of=lambda s: find_line(art, s),
        error=SourceError,
        max_depth=settings.limits.max_tree_depth,
    )
    warnings.extend(mine)
    if strict and mine:
        raise SourceError(f"{mine[0].message} (--strict: warnings fail)", path=art.path, line=mine[0].line)
    return ast


def _context(
    settings: Settings,
    task: Task,
    job: Job,
    dtexts: dict[str, dict[str, Converted]],
    built_at: datetime,
    env: Any,
) -> RenderContext:
    brand = job.variant.brand
    mine = dtexts[brand]
    if bad := next((c.error for d in task.disclaimers[brand] if (c := mine[d.key]).error), None):
        raise bad  # a disclaimer this article carries cannot be used
    return RenderContext(
        article=task.article,
        disclaimers=tuple(t for d in task.disclaimers[brand] if (t := mine[d.key].text)),
        settings=settings,
        built_at=built_at,
        env=make_environment(settings.templates_dir, task.article.meta.language),
        bodies={},
        variant=job.variant,
        brand=settings.brands[brand],
        approval=task.approvals.get(brand, ApprovalState()),
    )


def _write_jobs(
    settings: Settings,
    job: Job,
    ast: doctree.AST,
    ctx: RenderContext,
    extras: dict[str, tuple[doctree.AST, dict[str, Any]]],
    tmp: Path,
    media: Path,
) -> list[WriteJob]:
    """The pandoc writes one output needs, from its format's own AST (identical ones are shared)."""
    renderer = REGISTRY[job.format]
    fmt_ast, extra = renderer.prepare_ast(doctree.for_format(ast, renderer.visibility), ctx)
    extras[job.writer_prefix] = (fmt_ast, extra)
    writer_asts = extra.get("writer_asts", {})  # a writer may need its own AST
    out = []
    for need in renderer.needs:
        key = f"{job.writer_prefix}\x1f{need.writer}"
        writer_ast = writer_asts.get(need.writer, fmt_ast)
        if not need.binary:
            out.append(WriteJob(key, writer_ast, need.writer))
            continue
        # A binary writer writes a file and opens the images the AST names: it gets the checked
        # copies in ``media``, never the originals.
        ref = os.path.abspath(settings.templates_dir / need.reference_doc) if need.reference_doc else None
        target = str(tmp / f"out{len(extras)}.{need.writer}")
        writer_ast = media_copies(writer_ast, settings.assets_dir, media)
        out.append(WriteJob(key, writer_ast, need.writer, binary=True, out=target, reference_doc=ref))
    return out


def run_chunk(
    args: tuple[Settings, dict[str, Registry], list[Task], datetime, bool],
) -> tuple[list[Outcome], list[PublishError], str]:
    return build_chunk(*args)


def warm_worker(
    settings: Settings,
    registries: dict[str, Registry],
    formats: tuple[str, ...],
    languages: tuple[str, ...] = (),
) -> None:
    """Load what rendering needs ahead of the first article (see headstart.py) and convert the
    disclaimers. Only a head start: a failure here is left for the real render to report."""
    headstart.prefetch(settings, formats, languages)
    try:
        for registry in registries.values():
            disclaimer_texts(registry, [d for d in registry.entries if d.text and d.short], settings)
    except Exception:
        pass
