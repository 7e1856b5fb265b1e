"""Each output of a chunk rendered, read back, audited and written; the formats that lay out
pages (``Format.offload``) in the build's helper process when it has one (see workers.py)."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from ..audit.approval import check_draft
from ..audit.bands import Running
from ..audit.core import Extracted, Requirement, audit, check_edition, clinic_facts, tagline_readings
from ..audit.readers import READERS
from ..errors import PublishError, RenderError
from ..formats import REGISTRY
from ..formats.context import Body, RenderContext
from ..kit import doctree
from ..kit.fsutil import sha256, write_atomic
from ..kit.i18n import PAGE_LABEL
from ..kit.pandoc import BatchResult
from ..kit.templating import make_environment
from ..kit.treedepth import TOO_DEEP
from ..model.approval import DRAFT_MARK
from ..model.langtag import direction
from ..model.manifest import ManifestEntry
from ..model.registry import Registry
from ..model.settings import Settings
from . import headstart
from .cachekey import hash_files, template_paths
from .outcome import Outcome
from .plan import Job


class Helper(ProcessPoolExecutor):
    """One process for a one-article build: it loads WeasyPrint, the fonts and the hyphenation
    patterns while this process reads, checks and converts, then lays out the handout (render.py)
    while this process renders the other formats. Both cores work on the one article.

    This process then waits on it: ``while_waiting`` gives it something to do then (finish.py)."""

    _idle: Callable[[], None] | None = None

    def while_waiting(self, work: Callable[[], None]) -> None:
        """Run ``work`` once, the first time this process would wait on the helper's answer."""
        self._idle = work

    def idle(self) -> None:
        work, self._idle = self._idle, None
        if work is not None:
            work()


@dataclass(frozen=True)
class Rendering:
    """What a chunk hands its renders: each output's context, each format's AST, pandoc's writes."""

    contexts: dict[tuple[str, ...], RenderContext]
    extras: dict[str, tuple[doctree.AST, dict[str, Any]]]
    written: BatchResult
    versions: dict[str, str]
    failed: dict[str, PublishError]  # by slug: the article failed before its outputs were rendered


def render_all(
    settings: Settings,
    registries: dict[str, Registry],
    jobs: list[tuple[Job, str]],
    r: Rendering,
    helper: Executor | None = None,
) -> list[Outcome]:
    """Every job's outcome, in order. The offloaded ones go to ``helper`` first, so that it lays
    out the handout while this process renders the rest; a helper that fails (not a render: the
    process) leaves its jobs to this process."""
    remote: dict[int, Future[Outcome]] = {}
    if helper is not None:
        for i, (job, key) in enumerate(jobs):
            if job.article.slug not in r.failed and REGISTRY[job.format].offload:
                r.written.wait(writer_keys(job))  # pandoc may still be writing (overlap.py)
                remote[i] = helper.submit(render_elsewhere, portable(settings, registries, job, key, r))
    headstart.wait()  # WeasyPrint is used by one thread at a time
    outcomes: dict[int, Outcome] = {}
    # The handouts first here too: pandoc answers their writes first (chunk.prepare).
    for i in sorted(range(len(jobs)), key=lambda i: not REGISTRY[jobs[i][0].format].offload):
        job, key = jobs[i]
        if job.article.slug in r.failed:
            outcomes[i] = failed_outcome(job, r.failed[job.article.slug])
        elif i not in remote:
            outcomes[i] = render_one(settings, registries, job, key, r.contexts[job.manifest_key], r)
    if isinstance(helper, Helper) and remote:  # even when it has answered: that work is due anyway
        helper.idle()
    for i, future in remote.items():
        try:
            outcomes[i] = future.result()
        except Exception:  # the helper process died: render here, as without one
            job, key = jobs[i]
            outcomes[i] = render_one(settings, registries, job, key, r.contexts[job.manifest_key], r)
    return [outcomes[i] for i in range(len(jobs))]


def portable(
    settings: Settings, registries: dict[str, Registry], job: Job, key: str, r: Rendering
) -> tuple[Any, ...]:
    """One job's share of ``r``, picklable: its context without the Jinja environment (the helper
    makes its own, the same), its format's AST and only its own pandoc writes."""
    written = r.written.part(f"{job.writer_prefix}\x1f")
    ctx = replace(r.contexts[job.manifest_key], env=cast(Any, None))
    extras = {job.writer_prefix: r.extras[job.writer_prefix]}
    return settings, registries, job, key, ctx, Rendering({}, extras, written, r.versions, {})


def render_elsewhere(args: tuple[Any, ...]) -> Outcome:
    """``render_one`` in the helper process, from what ``portable`` sent."""
    settings, registries, job, key, ctx, r = args
    ctx = replace(ctx, env=make_environment(settings.templates_dir, ctx.article.meta.language))
    return render_one(settings, registries, job, key, ctx, r)


def writer_keys(job: Job) -> list[str]:
    """The keys of ``job``'s pandoc writes in a chunk's batch."""
    return [f"{job.writer_prefix}\x1f{need.writer}" for need in REGISTRY[job.format].needs]


def failed_outcome(job: Job, exc: PublishError) -> Outcome:
    return Outcome(job.article.slug, job.format, "failed", error=exc, variant=job.variant.label)


def render_one(
    settings: Settings,
    registries: dict[str, Registry],
    job: Job,
    key: str,
    base: RenderContext,
    r: Rendering,
) -> Outcome:
    art, fmt, variant = job.article, job.format, job.variant
    renderer = REGISTRY[fmt]
    name = job.path.rsplit("/", 1)[-1]
    try:
        r.written.wait(writer_keys(job))  # pandoc may still be writing the others (overlap.py)
        outputs: dict[str, Any] = {}
        for need in renderer.needs:
            writer = need.writer
            wkey = f"{job.writer_prefix}\x1f{writer}"
            if wkey in r.written.stopped:  # a time limit: the article, not this output, is to blame
                raise RenderError(r.written.errors[wkey], path=art.path)
            if wkey in r.written.errors:
                raise RenderError(f"pandoc could not write {writer}: {r.written.errors[wkey]}", path=name)
            value = r.written.values[wkey]
            outputs[writer] = Path(value).read_bytes() if need.binary else value
        fmt_ast, extra = r.extras[job.writer_prefix]
        ctx = replace(base, bodies={fmt: Body(ast=fmt_ast, outputs=outputs, extra=extra)})
        data = renderer.render(ctx)
        extracted = prove(renderer, name, data, ctx)
        write_atomic(settings.build_dir / job.path, data)
    except PublishError as exc:
        return failed_outcome(job, exc)
    except RecursionError:  # WeasyPrint lays out nested boxes recursively
        return failed_outcome(job, RenderError(TOO_DEEP, path=art.path))
    except Exception as exc:  # a bug, not a user's mistake: keep the traceback, build the rest
        traceback.print_exc()
        return failed_outcome(job, PublishError(f"internal error: {exc!r}", path=name, category="internal"))
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
        versions={**r.versions, "pandoc": r.written.version},
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
    rtl = direction(ctx.article.meta.language) == "rtl"
    marks = [ctx.review_status.mark]
    audit(name, extracted, requirements, ctx.review_line, marks, running, clinic, taglines, rtl=rtl)
    check_edition(name, reader.body_pt, data, ctx.variant.edition)
    check_draft(name, extracted, ctx.approval.draft)
    if reader.gate is not None:
        reader.gate(name, data)
    return extracted
