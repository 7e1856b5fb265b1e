"""The work for a chunk of articles: convert in one pandoc batch, render, audit, write atomically."""

from __future__ import annotations

import os
import tempfile
import traceback
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..audit.approval import check_draft
from ..audit.bands import Running
from ..audit.core import Extracted, Requirement, audit, check_edition, clinic_facts, tagline_readings
from ..audit.readers import READERS
from ..errors import PublishError, RenderError, SourceError
from ..formats import REGISTRY
from ..formats.context import Body, RenderContext
from ..kit import doctree
from ..kit.fsutil import sha256, write_atomic
from ..kit.i18n import PAGE_LABEL
from ..kit.pandoc import WriteJob, read_many, write_many
from ..kit.templating import make_environment
from ..kit.treedepth import TOO_DEEP
from ..model.approval import DRAFT_MARK, ApprovalState
from ..model.article import Article
from ..model.assets import checked_ast, find_line, media_copies
from ..model.manifest import ManifestEntry
from ..model.registry import Disclaimer, Registry
from ..model.settings import Settings
from . import headstart
from .cachekey import hash_files, template_paths, tool_versions
from .convert import Converted, disclaimer_texts
from .outcome import Outcome
from .plan import Job

# --- the work for a chunk of articles (runs in a worker process when --jobs > 1) -------------


@dataclass(frozen=True)
class Task:
    """One article's jobs to build, each with its cache key, and its disclaimers per clinic."""

    article: Article
    disclaimers: dict[str, tuple[Disclaimer, ...]]  # by clinic id
    jobs: tuple[tuple[Job, str], ...]
    approvals: dict[str, ApprovalState] = field(default_factory=dict)  # by clinic id

    def failed(self, exc: PublishError) -> list[Outcome]:
        return [_failed(job, exc) for job, _key in self.jobs]


def _failed(job: Job, exc: PublishError) -> Outcome:
    return Outcome(job.article.slug, job.format, "failed", error=exc, variant=job.variant.label)


def build_chunk(
    settings: Settings,
    registries: dict[str, Registry],
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
            dtexts = _converted(settings, registries, tasks)
            parsed = read_many(
                {t.article.slug: t.article.body for t in tasks}, settings.limits.pandoc_timeout
            )
        except PublishError as exc:
            return [o for t in tasks for o in t.failed(exc)], [], ""
        for by_id in dtexts.values():
            warnings.extend(w for c in by_id.values() for w in c.warnings if w not in warnings)
        media = tmp / "media"  # pandoc's working folder: the checked images under their hashes
        media.mkdir()

        contexts: dict[tuple[str, ...], RenderContext] = {}
        jobs: list[WriteJob] = []
        extras: dict[str, tuple[doctree.AST, dict[str, Any]]] = {}
        failed: dict[str, PublishError] = {}
        for task in tasks:
            try:
                ast = _checked(settings, task.article, parsed, warnings, strict)
                for job, _key in task.jobs:
                    ctx = _context(settings, task, job, dtexts, built_at, env)
                    contexts[job.manifest_key] = ctx
                    jobs.extend(_write_jobs(settings, job, ast, ctx, extras, tmp, media))
            except PublishError as exc:
                failed[task.article.slug] = exc
            except RecursionError:  # max_tree_depth set too high for this article's nesting
                failed[task.article.slug] = SourceError(TOO_DEEP, path=task.article.path)
        try:
            written = write_many(jobs, settings.limits.pandoc_timeout, cwd=media) if jobs else None
        except PublishError as exc:
            return [o for t in tasks for o in t.failed(exc)], warnings, ""

        headstart.wait()  # WeasyPrint is used by one thread at a time
        for task in tasks:
            for job, key in task.jobs:
                if task.article.slug in failed:
                    outcomes.append(_failed(job, failed[task.article.slug]))
                    continue
                ctx = contexts[job.manifest_key]
                outcomes.append(_render_one(settings, registries, job, key, ctx, extras, written, versions))
    return outcomes, warnings, written.version if written else ""


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


def _render_one(
    settings: Settings,
    registries: dict[str, Registry],
    job: Job,
    key: str,
    base: RenderContext,
    extras: dict[str, tuple[doctree.AST, dict[str, Any]]],
    written: Any,
    versions: dict[str, str],
) -> Outcome:
    art, fmt, variant = job.article, job.format, job.variant
    renderer = REGISTRY[fmt]
    name = job.path.rsplit("/", 1)[-1]
    try:
        outputs: dict[str, Any] = {}
        for need in renderer.needs:
            writer = need.writer
            wkey = f"{job.writer_prefix}\x1f{writer}"
            if wkey in written.stopped:  # a time limit: the article, not this output, is to blame
                raise RenderError(written.errors[wkey], path=art.path)
            if wkey in written.errors:
                raise RenderError(f"pandoc could not write {writer}: {written.errors[wkey]}", path=name)
            value = written.values[wkey]
            outputs[writer] = Path(value).read_bytes() if need.binary else value
        fmt_ast, extra = extras[job.writer_prefix]
        ctx = replace(base, bodies={fmt: Body(ast=fmt_ast, outputs=outputs, extra=extra)})
        data = renderer.render(ctx)
        extracted = prove(renderer, name, data, ctx)
        write_atomic(settings.build_dir / job.path, data)
    except PublishError as exc:
        return _failed(job, exc)
    except RecursionError:  # WeasyPrint lays out nested boxes recursively
        return _failed(job, RenderError(TOO_DEEP, path=art.path))
    except Exception as exc:  # a bug, not a user's mistake: keep the traceback, build the rest
        traceback.print_exc()
        return _failed(job, PublishError(f"internal error: {exc!r}", path=name, category="internal"))
    entry = ManifestEntry(
        path=job.path,
        slug=art.slug,
        format=fmt,
        sha256=sha256(data),
        bytes=len(data),
        disclaimers=tuple(d.id for d in ctx.disclaimers),
        registry_sha256=registries[variant.brand].sha256,
        source_sha256=art.sha256,
        templates_sha256=hash_files(template_paths(settings, renderer)),
        key=key,
        built_at=ctx.built_at.isoformat(),
        versions={**versions, "pandoc": written.version},
        pages=len(extracted.pages) if extracted.unit == "page" else None,
        brand=variant.brand,
        language=variant.language,
        edition=variant.edition,
        approved=ctx.approval.approved,
        approval=ctx.approval.id or ctx.approval.differs_from,
    )
    return Outcome(art.slug, fmt, "built", path=job.path, size=len(data), entry=entry, variant=variant.label)


def prove(renderer: Any, name: str, data: bytes, ctx: RenderContext) -> Extracted:
    """Read the output back with an independent reader and refuse it unless it carries every
    applying disclaimer, the review line, exactly the template's running headers and footers,
    its own clinic's details and no other clinic's, its language-access taglines, and the body
    size its edition promises."""
    reader = READERS[renderer.reader]
    extracted = reader.read(data)
    requirements = [Requirement(d.id, doctree.stringify(d.ast), d.short) for d in ctx.disclaimers]
    draft = DRAFT_MARK if ctx.approval.draft else ""
    running = Running(ctx.brand.name, ctx.article.meta.title, draft, ctx.t.gettext(PAGE_LABEL))
    clinic = clinic_facts(ctx.settings, ctx.brand.id)
    taglines = [(t.lang, tagline_readings(t, ctx.brand.phone)) for t in ctx.taglines]
    audit(name, extracted, requirements, ctx.review_line, [ctx.review_status.mark], running, clinic, taglines)
    check_edition(name, reader.body_pt, data, ctx.variant.edition)
    check_draft(name, extracted, ctx.approval.draft)
    if reader.gate is not None:
        reader.gate(name, data)
    return extracted


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
