"""Orchestration: read and validate everything, convert in batches, render, audit, write atomically."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import PublishError, SourceError
from ..formats import REGISTRY
from ..kit.fsutil import build_lock, remove_stale_temps
from ..model.article import Article, load_article
from ..model.langtag import split_stem
from ..model.registry import Disclaimer, Registry, load_registry, overlay_registry
from ..model.review import ReviewStatus, review_status
from ..model.settings import Settings, build_time
from ..model.variant import Variant
from .cachekey import cache_key, intact, tool_versions
from .chunk import Task, build_chunk, run_chunk, warm_worker
from .manifest import Key, ManifestEntry, load_manifest, save_manifest
from .outcome import Outcome, Progress, Report
from .plan import Job, configured, plan, select_brands
from .translations import with_translation

__all__ = ["Outcome", "Report", "Task", "build", "build_chunk", "discover", "select", "slug_of"]


# --- the whole build ---------------------------------------------------------------------------


def _review(settings: Settings, article: Article, built_at: datetime) -> ReviewStatus:
    """The article's review state by the build clock (it is part of every output's key)."""
    checks = settings.checks
    return review_status(
        article.meta.reviewed, built_at.date(), checks.review_every_months, checks.due_soon_days
    )


def discover(settings: Settings) -> list[Path]:
    src = settings.source_dir
    if not src.is_dir():
        raise SourceError(f"the source folder {settings.source}/ does not exist")
    # A symlinked article is listed so that loading it reports it, instead of skipping it silently.
    # Each original first, then its translations (source/<slug>.<L>.md).
    found = (p for p in src.glob("*.md") if p.is_file() or p.is_symlink())
    return sorted(found, key=lambda p: split_stem(p.stem))


def slug_of(settings: Settings, arg: str) -> str:
    """The slug a command-line argument names: ``x``, ``x.md`` and ``source/x.md`` (from anywhere,
    or absolute) all name ``x``. A .md file in another folder stays as given, so it is not found."""
    path = Path(arg)
    if path.suffix != ".md":
        return arg
    if len(path.parts) == 1:
        return path.stem
    src = settings.source_dir.resolve()
    try:
        if path.resolve().parent == src or (settings.root / path).resolve().parent == src:
            return path.stem
    except (OSError, ValueError):  # a NUL byte, a loop of links: not an article either way
        pass
    return arg


def select(settings: Settings, args: Sequence[str]) -> list[Path]:
    """The articles the command line names, in its order (every article when it names none).
    An original's slug names its translations too; ``<slug>.<L>`` names one translation."""
    paths = discover(settings)
    if not args:
        return paths
    known = {p.stem: p for p in paths}
    chosen: dict[str, Path] = {}
    for arg in args:
        slug = slug_of(settings, arg)
        if slug not in known:
            raise SourceError(
                f"no article '{arg}' in {settings.source}/. Articles: {', '.join(known) or '(none)'}"
            )
        chosen[slug] = known[slug]
        chosen.update((p.stem, p) for p in paths if split_stem(p.stem)[0] == slug)
    return list(chosen.values())


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
) -> Report:
    """Build ``formats`` for every article (or only ``slugs``), for every clinic (or only
    ``brands``) and edition the settings ask for. Read and validate first, write last.

    With ``checks``, the content checks run first: an article with a check error (or, with
    ``strict``, a warning) is not built; the others are."""
    report = Report()
    built_at = build_time()
    brand_ids = select_brands(settings, brands)
    registries = load_registries(settings, brand_ids)
    paths = select(settings, slugs)
    versions = tool_versions()
    with build_lock(settings.build_dir), contextlib.ExitStack() as stack:
        remove_stale_temps(settings.build_dir)
        old = load_manifest(settings.build_dir)
        entries = dict(old)
        loaded: list[tuple[Article, dict[str, tuple[Disclaimer, ...]]]] = []
        for path in paths:
            try:
                article = load_article(path, settings.limits)
                applying = {b: registries[b].resolve(article) for b in brand_ids}
                if article.translates:
                    applying = with_translation(settings, article, applying, strict)
            except PublishError as exc:
                for fmt in formats:
                    report.outcomes.append(Outcome(path.stem, fmt, "failed", error=exc))
                continue
            loaded.append((article, applying))
        todo = _pending(settings, loaded, formats, brand_ids, editions, old, versions, built_at, force)
        pool = _warm_pool(settings, registries, formats, todo, jobs)
        if pool is not None:
            stack.callback(pool.shutdown)
        if checks:
            stopped = _run_checks(settings, [a for a, _d in loaded], built_at, strict, report, formats, jobs)
            todo = [(job, key) for job, key in todo if job.article.slug not in stopped]
            loaded = [(a, d) for a, d in loaded if a.slug not in stopped]
        tasks = _tasks(settings, loaded, todo, formats, brand_ids, editions, old, report, progress)
        for outcomes, warnings in _execute(settings, registries, tasks, built_at, jobs, strict, pool):
            report.warnings.extend(warnings)
            for outcome in outcomes:
                report.outcomes.append(outcome)
                if outcome.entry is not None:
                    entries[outcome.entry.manifest_key] = outcome.entry
                if progress:
                    progress(outcome)

        existing = {p.stem for p in discover(settings)}
        entries = {
            k: v
            for k, v in entries.items()
            if k[0] in existing and configured(settings, v.format, Variant(v.brand, v.language, v.edition))
        }
        if entries != old:
            save_manifest(settings.build_dir, entries, built_at.isoformat(), versions)
        from ..site.gallery import write_gallery  # build/index.html: every build, after the manifest

        write_gallery(settings, registries, entries, report)
    order = list(REGISTRY)
    report.outcomes.sort(key=lambda o: (o.slug, o.variant, order.index(o.format)))
    return report


def _key(
    settings: Settings,
    job: Job,
    applying: dict[str, tuple[Disclaimer, ...]],
    versions: dict[str, str],
    built_at: datetime,
) -> str:
    state = _review(settings, job.article, built_at).state
    brand = settings.brands[job.variant.brand]
    renderer = REGISTRY[job.format]
    disclaimers = applying[job.variant.brand]
    return cache_key(
        settings, renderer, job.article, disclaimers, versions, state, brand, job.variant.edition
    )


def _pending(
    settings: Settings,
    loaded: list[tuple[Article, dict[str, tuple[Disclaimer, ...]]]],
    formats: Sequence[str],
    brand_ids: Sequence[str],
    editions: Sequence[str],
    old: dict[Key, ManifestEntry],
    versions: dict[str, str],
    built_at: datetime,
    force: bool,
) -> list[tuple[Job, str]]:
    """Every planned job with its cache key, and whether it must be built (the rest are up to date)."""
    applying = {a.slug: d for a, d in loaded}
    out = []
    for job in plan(settings, [a for a, _d in loaded], formats, brand_ids, editions):
        key = _key(settings, job, applying[job.article.slug], versions, built_at)
        prev = old.get(job.manifest_key)
        if force or not prev or prev.key != key or not intact(settings.build_dir / prev.path, prev):
            out.append((job, key))
    return out


def _tasks(
    settings: Settings,
    loaded: list[tuple[Article, dict[str, tuple[Disclaimer, ...]]]],
    todo: list[tuple[Job, str]],
    formats: Sequence[str],
    brand_ids: Sequence[str],
    editions: Sequence[str],
    old: dict[Key, ManifestEntry],
    report: Report,
    progress: Progress | None,
) -> list[Task]:
    """Group the jobs to build by article; report the others as up to date."""
    pending = {job.manifest_key: (job, key) for job, key in todo}
    by_article: dict[str, list[tuple[Job, str]]] = {}
    for job in plan(settings, [a for a, _d in loaded], formats, brand_ids, editions):
        if job.manifest_key in pending:
            by_article.setdefault(job.article.slug, []).append(pending[job.manifest_key])
            continue
        prev = old[job.manifest_key]
        outcome = Outcome(
            job.article.slug,
            job.format,
            "unchanged",
            path=prev.path,
            size=prev.bytes,
            entry=prev,
            variant=job.variant.label,
        )
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
    articles: list[Article],
    built_at: datetime,
    strict: bool,
    report: Report,
    formats: Sequence[str],
    jobs: int = 1,
) -> set[str]:
    """Content checks before rendering (cached in build/check.json); returns the slugs to stop."""
    from ..checks.runner import run_checks, save_report

    results = run_checks(settings, articles, built_at.date(), strict=strict, jobs=jobs)
    save_report(settings, results, built_at.date(), {p.stem for p in discover(settings)})
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
    return stopped


def _chunk_size(n: int, jobs: int) -> int:
    return max(1, min(25, -(-n // max(1, jobs))))


def _execute(
    settings: Settings,
    registries: dict[str, Registry],
    tasks: list[Task],
    built_at: datetime,
    jobs: int,
    strict: bool,
    pool: ProcessPoolExecutor | None = None,
) -> Any:
    """Yield (outcomes, warnings) per chunk: in this process, or across ``jobs`` worker processes
    (the warm ``pool`` when there is one, even for a single chunk: its WeasyPrint is loaded)."""
    if not tasks:
        return
    chunk = _chunk_size(len(tasks), jobs)
    chunks = [tasks[i : i + chunk] for i in range(0, len(tasks), chunk)]
    args = [(settings, registries, c, built_at, strict) for c in chunks]
    if pool is not None:
        for outcomes, warnings, _version in pool.map(run_chunk, args):
            yield outcomes, warnings
        return
    if jobs <= 1 or len(chunks) == 1:
        for c in chunks:
            outcomes, warnings, _version = build_chunk(settings, registries, c, built_at, strict)
            yield outcomes, warnings
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for outcomes, warnings, _version in pool.map(run_chunk, args):
            yield outcomes, warnings


def _warm_pool(
    settings: Settings,
    registries: dict[str, Registry],
    formats: Sequence[str],
    todo: list[tuple[Job, str]],
    jobs: int,
) -> ProcessPoolExecutor | None:
    """With --jobs > 1 and something to build, start the workers before the content checks, so
    that they load WeasyPrint and its fonts and convert the disclaimers while this process checks.
    An output whose key matches counts as done here; the real decision comes after the checks."""
    if jobs <= 1 or not todo:
        return None
    pending = len({job.article.slug for job, _key in todo})
    workers = min(jobs, -(-pending // _chunk_size(pending, jobs)))
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=warm_worker, initargs=(settings, registries, tuple(formats))
    )
    pool.submit(int)  # starts the workers now (all at once: the pool forks)
    return pool
