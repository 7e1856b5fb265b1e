"""Each output of a chunk rendered, read back, audited and written; the formats that lay out
pages (``Format.offload``) in the build's helper process when it has one (see workers.py)."""

from __future__ import annotations

import gc
import traceback
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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

    This process then waits on it: ``while_waiting`` gives it something to do then (finish.py).

    While it runs, what this process has loaded is kept out of its garbage collections
    (``gc.freeze`` before the fork, as Python's documentation advises, and again by ``settle``
    once the article is converted, as the watcher's ``warm.settle``, and after ``idle``'s work:
    the manifest it may read, the gallery it drafts), and let back in at
    ``shutdown``: a full collection walking a 500-article catalog's records took 40 to 50 ms, once
    at the start and once while the handout was audited (see README). Only when nothing was frozen
    before: a caller's own freeze is left as it was."""

    _idle: Callable[[], None] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._frozen = gc.get_freeze_count() == 0
        self.settle()
        super().__init__(*args, **kwargs)

    def settle(self) -> None:
        """Keep what this process has made so far out of its later collections."""
        if self._frozen:
            gc.freeze()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        if self._frozen:
            gc.unfreeze()
            self._frozen = False

    def while_waiting(self, work: Callable[[], None]) -> None:
        """Run ``work`` once, the first time this process would wait on the helper's answer."""
        self._idle = work

    def idle(self) -> None:
        work, self._idle = self._idle, None
        if work is not None:
            work()
            self.settle()  # what it read and drafted (the manifest, the gallery): kept to the end


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
    """Every job's outcome, in order. The offloaded ones are composed here and sent to ``helper``
    first, so that it lays out the handout while this process renders the rest; their bytes
    come back to be read back, audited and written here. A helper that fails (not a layout: the
    process) leaves its jobs to this process."""
    outcomes: dict[int, Outcome] = {}
    remote: dict[int, tuple[Future[bytes | PublishError], RenderContext]] = {}
    if isinstance(helper, Helper):
        helper.settle()  # the article's conversion: kept to the end of the build
    if helper is not None:
        for i, (job, _key) in enumerate(jobs):
            if job.article.slug not in r.failed and REGISTRY[job.format].offload:
                try:  # its pandoc writes first: pandoc may still be writing the others (overlap.py)
                    ctx = job_context(job, r.contexts[job.manifest_key], r)
                    composed = REGISTRY[job.format].compose(ctx)
                except Exception as exc:
                    outcomes[i] = failed(job, exc)
                    continue
                remote[i] = (helper.submit(lay_out_elsewhere, (job, composed)), ctx)
    headstart.wait()  # WeasyPrint is used by one thread at a time
    # The handouts first here too: pandoc answers their writes first (chunk.prepare).
    for i in sorted(range(len(jobs)), key=lambda i: not REGISTRY[jobs[i][0].format].offload):
        job, key = jobs[i]
        if job.article.slug in r.failed:
            outcomes[i] = failed_outcome(job, r.failed[job.article.slug])
        elif i not in remote and i not in outcomes:
            outcomes[i] = render_one(settings, registries, job, key, r.contexts[job.manifest_key], r)
    if isinstance(helper, Helper) and remote:  # even when it has answered: that work is due anyway
        helper.idle()
        headstart.audit_readers()  # what reads the handout back: only now, off the way to its page
    for i, (future, ctx) in remote.items():
        job, key = jobs[i]
        try:
            laid_out = future.result()
        except Exception:  # the helper process died: render here, as without one
            outcomes[i] = render_one(settings, registries, job, key, r.contexts[job.manifest_key], r)
            continue
        if isinstance(laid_out, PublishError):
            outcomes[i] = failed_outcome(job, laid_out)
            continue
        try:
            extracted = keep(settings, job, ctx, laid_out)
        except Exception as exc:
            outcomes[i] = failed(job, exc)
            continue
        outcomes[i] = built(settings, registries, job, key, r, ctx, laid_out, extracted)
    return [outcomes[i] for i in range(len(jobs))]


def lay_out_elsewhere(args: tuple[Job, Any]) -> bytes | PublishError:
    """An offloaded format's ``lay_out`` in the helper process, of what this process composed:
    the bytes, or what went wrong worded as ``render_one`` words it (a bug's traceback printed)."""
    job, composed = args
    try:
        return REGISTRY[job.format].lay_out(composed)
    except Exception as exc:
        outcome = failed(job, exc)
        assert outcome.error is not None
        return outcome.error


def writer_keys(job: Job) -> list[str]:
    """The keys of ``job``'s pandoc writes in a chunk's batch."""
    return [f"{job.writer_prefix}\x1f{need.writer}" for need in REGISTRY[job.format].needs]


def failed_outcome(job: Job, exc: PublishError) -> Outcome:
    return Outcome(job.article.slug, job.format, "failed", error=exc, variant=job.variant.label)


def failed(job: Job, exc: Exception) -> Outcome:
    """The outcome of a render that raised ``exc``: a user's mistake as it is worded, a bug as an
    internal error with its traceback printed (the rest of the build goes on)."""
    if isinstance(exc, PublishError):
        return failed_outcome(job, exc)
    if isinstance(exc, RecursionError):  # WeasyPrint lays out nested boxes recursively
        return failed_outcome(job, RenderError(TOO_DEEP, path=job.article.path))
    traceback.print_exception(exc)
    name = job.path.rsplit("/", 1)[-1]
    return failed_outcome(job, PublishError(f"internal error: {exc!r}", path=name, category="internal"))


def render_one(
    settings: Settings,
    registries: dict[str, Registry],
    job: Job,
    key: str,
    base: RenderContext,
    r: Rendering,
) -> Outcome:
    """One output rendered, read back, audited and written here."""
    try:
        ctx = job_context(job, base, r)
        data = REGISTRY[job.format].render(ctx)
        extracted = keep(settings, job, ctx, data)
    except Exception as exc:
        return failed(job, exc)
    return built(settings, registries, job, key, r, ctx, data, extracted)


def job_context(job: Job, base: RenderContext, r: Rendering) -> RenderContext:
    """``base`` with the job's format's body: its AST and pandoc's writes of it (once written)."""
    art, renderer = job.article, REGISTRY[job.format]
    name = job.path.rsplit("/", 1)[-1]
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
    return replace(base, bodies={job.format: Body(ast=fmt_ast, outputs=outputs, extra=extra)})


def keep(settings: Settings, job: Job, ctx: RenderContext, data: bytes) -> Extracted:
    """``data`` read back and audited (``prove``), then written to its path in build/."""
    extracted = prove(REGISTRY[job.format], job.path.rsplit("/", 1)[-1], data, ctx)
    write_atomic(settings.build_dir / job.path, data)
    return extracted


def built(
    settings: Settings,
    registries: dict[str, Registry],
    job: Job,
    key: str,
    r: Rendering,
    ctx: RenderContext,
    data: bytes,
    extracted: Extracted,
) -> Outcome:
    """The outcome of an output written to build/, with its manifest entry."""
    art, variant = job.article, job.variant
    entry = ManifestEntry(
        path=job.path,
        slug=art.slug,
        format=job.format,
        sha256=sha256(data),
        bytes=len(data),
        disclaimers=tuple(d.id for d in ctx.disclaimers),
        registry_sha256=registries[variant.brand].sha256,
        source_sha256=art.sha256,
        templates_sha256=hash_files(template_paths(settings, REGISTRY[job.format])),
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
    label = variant.label
    return Outcome(art.slug, job.format, "built", path=job.path, size=len(data), entry=entry, variant=label)


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
