"""Orchestration: read and validate everything, convert in batches, render, audit, write atomically."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PublishError
from ..formats import REGISTRY
from ..kit.fsutil import build_lock
from ..model.approval import UNAPPROVED, ApprovalState, approvals_of
from ..model.article import Article
from ..model.manifest import Key, ManifestEntry, load_manifest
from ..model.registry import Disclaimer, Registry, load_registry, overlay_registry
from ..model.review import ReviewStatus, review_status
from ..model.settings import Settings, build_time
from .cachekey import KeyMemo, cache_key, intact, tool_versions
from .chunk import Task, build_chunk
from .finish import Finish
from .outcome import Outcome, Progress, Report
from .overlap import converting
from .plan import Job, plan, select_brands
from .remember import SourceCache, load_all
from .shard import Shard, keys_of
from .sources import discover, select, slug_of
from .translations import catalog_warnings
from .workers import execute, start_workers

if TYPE_CHECKING:  # the checks are imported only when they run
    from ..checks.runner import ArticleCheck

__all__ = ["Outcome", "Report", "Task", "build", "build_chunk", "discover", "select", "slug_of"]


# --- the whole build ---------------------------------------------------------------------------


def _review(
    settings: Settings, article: Article, built_at: datetime, approval: ApprovalState = UNAPPROVED
) -> ReviewStatus:
    """The article's review state by the build clock (it is part of every output's key), counted
    from its last approval when it has one."""
    checks, reviewed = settings.checks, approval.reviewed(article.meta.reviewed)
    return review_status(reviewed, built_at.date(), checks.review_every_months, checks.due_soon_days)


def load_registries(settings: Settings, brands: Sequence[str]) -> dict[str, Registry]:
    """Each clinic's registry: the shared one, with the clinic's own file laid over it."""
    base = load_registry(settings.source_dir / "disclaimers.yaml", settings.limits.max_source_bytes)
    out: dict[str, Registry] = {}
    for brand_id in brands:
        extra = settings.brands[brand_id].registry
        out[brand_id] = overlay_registry(base, settings.source_dir / extra) if extra else base
    return out


def build(
    settings: Settings,
    formats: Sequence[str],
    slugs: Sequence[str] = (),
    *,
    brands: Sequence[str] = (),
    editions: Sequence[str] = (),
    force: bool = False,
    strict: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
    checks: bool = False,
    shard: Shard | None = None,
) -> Report:
    """Build ``formats`` for every article (or only ``slugs``), for every clinic (or only
    ``brands``) and edition the settings ask for. Read and validate first, write last.

    With ``checks``, the content checks run first: an article with a check error (or, with
    ``strict``, a warning) is not built; the others are. With ``shard``, only that part of the
    planned jobs is built and the manifest lists only them (a partial one, for merge-manifests)."""
    report = Report()
    built_at = build_time()
    brand_ids = select_brands(settings, brands)
    registries = load_registries(settings, brand_ids)
    paths = select(settings, slugs)
    versions = tool_versions()
    with build_lock(settings.build_dir), contextlib.ExitStack() as stack:
        sources = SourceCache(settings)  # an unchanged file is not read again: see remember.py
        loaded, approvals = _load(sources, paths, registries, formats, report, settings, strict)
        planned = plan(settings, [a for a, _d in loaded], formats, brand_ids, editions)
        planned, loaded, keep = _shard(planned, loaded, shard)
        report.warnings.extend(catalog_warnings(settings, planned))
        # With --force every planned job is built: the workers start at once, and the manifest
        # is read at the end (Finish.read_old), while a one-article build's helper lays out.
        start = partial(_start_workers, stack, settings, registries, formats, jobs=jobs)
        pool = start([(job, "") for job in planned]) if force else None
        old = None if force else load_manifest(settings.build_dir)
        todo = _pending(settings, loaded, planned, old or {}, versions, built_at, force, approvals)
        pool = pool if force else start(todo)
        early, checked = None, None  # pandoc converts in a thread while this one checks: overlap.py
        if checks:
            early = converting(settings, registries, loaded, todo, approvals, built_at, strict, pool, stack)
            stopped, checked = _run_checks(settings, loaded, built_at, strict, report, formats, jobs)
            todo = [(job, key) for job, key in todo if job.article.slug not in stopped]
            loaded = [(a, d) for a, d in loaded if a.slug not in stopped]
        tasks = _tasks(loaded, planned, todo, old or {}, report, progress)
        tasks = [replace(t, approvals=approvals[t.article.slug]) for t in tasks]
        stamp = (built_at.isoformat(), versions)
        end = Finish(settings, registries, old, stamp, report, sources, keep, shard, checked)
        made: dict[Key, ManifestEntry] = {}  # this build's outputs
        end.ahead_of(pool, made, [jk for t in tasks for jk in t.jobs])  # see finish.py
        results = execute(settings, registries, tasks, built_at, jobs, strict, early or pool)
        _gather(results, report, made, progress)
        end.finish(made)
    order = list(REGISTRY)
    report.outcomes.sort(key=lambda o: (o.slug, o.variant, order.index(o.format)))
    return report


def _gather(
    results: Iterable[tuple[list[Outcome], list[PublishError]]],
    report: Report,
    entries: dict[Key, ManifestEntry],
    progress: Progress | None,
) -> None:
    """Each batch's outcomes and warnings into ``report`` (and its outputs into ``entries``), as
    the batches end."""
    for outcomes, warnings in results:
        report.warnings.extend(warnings)
        for outcome in outcomes:
            report.outcomes.append(outcome)
            if outcome.entry is not None:
                entries[outcome.entry.manifest_key] = outcome.entry
            if progress:
                progress(outcome)


def _start_workers(
    stack: contextlib.ExitStack[bool | None],
    settings: Settings,
    registries: dict[str, Registry],
    formats: Sequence[str],
    todo: list[tuple[Job, str]],
    jobs: int,
) -> ProcessPoolExecutor | None:
    """``start_workers`` for ``todo`` (the jobs to build), shut down when the build ends."""
    pool = start_workers(settings, registries, formats, todo, jobs)
    if pool is not None:
        stack.callback(pool.shutdown)
    return pool


def _load(
    sources: SourceCache,
    paths: list[Path],
    registries: dict[str, Registry],
    formats: Sequence[str],
    report: Report,
    settings: Settings,
    strict: bool,
) -> tuple[list[tuple[Article, dict[str, tuple[Disclaimer, ...]]]], dict[str, dict[str, ApprovalState]]]:
    """Every article (an unchanged file from what the last build remembered of it), with the
    disclaimers that apply to it for each clinic and its approval state there; a bad one fails
    alone (every format of it), the others go on."""
    loaded, failed = load_all(sources, paths, registries, strict)
    for path, exc in failed:
        report.outcomes.extend(Outcome(path.stem, fmt, "failed", error=exc) for fmt in formats)
    approvals: dict[str, dict[str, ApprovalState]] = {}
    for article, applying in list(loaded):
        try:
            approvals[article.slug] = approvals_of(settings, article, applying)
        except PublishError as exc:
            report.outcomes.extend(Outcome(article.slug, fmt, "failed", error=exc) for fmt in formats)
            loaded.remove((article, applying))
    return loaded, approvals


def _shard(
    planned: list[Job], loaded: list[tuple[Article, dict[str, tuple[Disclaimer, ...]]]], shard: Shard | None
) -> tuple[list[Job], list[tuple[Article, dict[str, tuple[Disclaimer, ...]]]], set[Key] | None]:
    """This shard's jobs, and only the articles they need (checks included); all without a shard."""
    if shard is None:
        return planned, loaded, None
    keep = keys_of(planned, shard)
    planned = [j for j in planned if j.manifest_key in keep]
    needed = {j.article.slug for j in planned}
    return planned, [(a, d) for a, d in loaded if a.slug in needed], keep


def _key(
    settings: Settings,
    job: Job,
    applying: dict[str, tuple[Disclaimer, ...]],
    versions: dict[str, str],
    built_at: datetime,
    approval: ApprovalState,
    memo: KeyMemo,
) -> str:
    # The approval state changes the outputs (DRAFT marks, "Approved by"): part of every key.
    state = f"{_review(settings, job.article, built_at, approval).state}|{approval.key}"
    brand, disclaimers = settings.brands[job.variant.brand], applying[job.variant.brand]
    args = (job.article, disclaimers, versions, state, brand, job.variant.edition)
    return cache_key(settings, REGISTRY[job.format], *args, memo=memo)


def _pending(
    settings: Settings,
    loaded: list[tuple[Article, dict[str, tuple[Disclaimer, ...]]]],
    jobs: list[Job],
    old: dict[Key, ManifestEntry],
    versions: dict[str, str],
    built_at: datetime,
    force: bool,
    approvals: dict[str, dict[str, ApprovalState]],
) -> list[tuple[Job, str]]:
    """Every planned job with its cache key, and whether it must be built (the rest are up to date)."""
    applying = {a.slug: d for a, d in loaded}
    memo, out = KeyMemo(settings), []  # the memo: what all the keys share, worked out once
    for job in jobs:
        approval = approvals[job.article.slug][job.variant.brand]
        key = _key(settings, job, applying[job.article.slug], versions, built_at, approval, memo)
        prev = old.get(job.manifest_key)
        if force or not prev or prev.key != key or not intact(settings.build_dir / prev.path, prev):
            out.append((job, key))
    return out


def _tasks(
    loaded: list[tuple[Article, dict[str, tuple[Disclaimer, ...]]]],
    jobs: list[Job],
    todo: list[tuple[Job, str]],
    old: dict[Key, ManifestEntry],
    report: Report,
    progress: Progress | None,
) -> list[Task]:
    """Group the jobs to build by article; report the others as up to date."""
    pending = {job.manifest_key: (job, key) for job, key in todo}
    by_article: dict[str, list[tuple[Job, str]]] = {}
    live = {a.slug for a, _d in loaded}  # the articles the checks did not stop
    for job in jobs:
        if job.article.slug not in live:
            continue
        if job.manifest_key in pending:
            by_article.setdefault(job.article.slug, []).append(pending[job.manifest_key])
            continue
        prev = old[job.manifest_key]
        slug, label = job.article.slug, job.variant.label
        outcome = Outcome(slug, job.format, "unchanged", prev.path, prev.bytes, entry=prev, variant=label)
        report.outcomes.append(outcome)
        if progress:
            progress(outcome)
    return [
        Task(article, applying, tuple(by_article[article.slug]))
        for article, applying in loaded
        if article.slug in by_article
    ]


def _run_checks(
    settings: Settings,
    loaded: Sequence[tuple[Article, object]],
    built_at: datetime,
    strict: bool,
    report: Report,
    formats: Sequence[str],
    jobs: int = 1,
) -> tuple[set[str], dict[str, ArticleCheck]]:
    """Content checks before rendering; the slugs to stop and the results (for check.json)."""
    from ..checks.runner import run_checks

    results = run_checks(settings, [a for a, _d in loaded], built_at.date(), strict=strict, jobs=jobs)
    stopped = set()
    for slug, result in results.items():
        blocking = result.errors(strict)
        report.errors.extend(blocking)
        for finding in result.findings:
            if finding.level == "warning" and not strict:
                report.warnings.append(result.as_error(finding))
            elif finding.level == "info":
                report.notes.append(result.as_error(finding))
        if blocking:
            stopped.add(slug)
            n = len(blocking)
            what = "problem" if strict else "error"
            stop = PublishError(
                f"not built: the content check found {n} {what}{'s' if n > 1 else ''} (listed above)",
                path=result.path,
                category="check",
            )
            report.outcomes.extend(Outcome(slug, fmt, "failed", error=stop) for fmt in formats)
    return stopped, results
