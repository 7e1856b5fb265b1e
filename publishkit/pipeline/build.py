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
from ..model.registry import Disclaimer, Registry, load_registry
from ..model.review import ReviewStatus, review_status
from ..model.settings import Settings, build_time
from .cachekey import cache_key, intact, tool_versions
from .chunk import Task, build_chunk, run_chunk, warm_worker
from .manifest import ManifestEntry, load_manifest, save_manifest
from .outcome import Outcome, Progress, Report

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
    return sorted(p for p in src.glob("*.md") if p.is_file() or p.is_symlink())


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
    """The articles the command line names, in its order (every article when it names none)."""
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
    return list(chosen.values())


def build(
    settings: Settings,
    formats: Sequence[str],
    slugs: Sequence[str] = (),
    *,
    force: bool = False,
    strict: bool = False,
    jobs: int = 1,
    progress: Progress | None = None,
    checks: bool = False,
) -> Report:
    """Build ``formats`` for every article (or only ``slugs``). Read and validate first, write last.

    With ``checks``, the content checks run first: an article with a check error (or, with
    ``strict``, a warning) is not built; the others are."""
    report = Report()
    built_at = build_time()
    registry = load_registry(settings.source_dir / "disclaimers.yaml", settings.limits.max_source_bytes)
    paths = select(settings, slugs)
    versions = tool_versions()
    tasks: list[Task] = []
    with build_lock(settings.build_dir), contextlib.ExitStack() as stack:
        remove_stale_temps(settings.build_dir)
        old = load_manifest(settings.build_dir)
        entries = dict(old)
        loaded: list[tuple[Article, tuple[Disclaimer, ...]]] = []
        for path in paths:
            try:
                article = load_article(path, settings.limits)
                applying = registry.resolve(article)
            except PublishError as exc:
                for fmt in formats:
                    report.outcomes.append(Outcome(path.stem, fmt, "failed", error=exc))
                continue
            loaded.append((article, applying))
        pool = _warm_pool(settings, registry, formats, loaded, old, versions, built_at, jobs, force)
        if pool is not None:
            stack.callback(pool.shutdown)
        if checks:
            stopped = _run_checks(settings, [a for a, _d in loaded], built_at, strict, report, formats, jobs)
            loaded = [(a, d) for a, d in loaded if a.slug not in stopped]
        for article, applying in loaded:
            status = _review(settings, article, built_at)
            todo: list[str] = []
            keys: dict[str, str] = {}
            for fmt in formats:
                key = cache_key(settings, REGISTRY[fmt], article, applying, versions, status.state)
                keys[fmt] = key
                prev = old.get((article.slug, fmt))
                out = settings.build_dir / prev.path if prev else None
                if not force and prev and prev.key == key and intact(out, prev):
                    outcome = Outcome(
                        article.slug, fmt, "unchanged", path=prev.path, size=prev.bytes, entry=prev
                    )
                    report.outcomes.append(outcome)
                    if progress:
                        progress(outcome)
                else:
                    todo.append(fmt)
            if todo:
                tasks.append(Task(article, applying, tuple(todo), keys))

        for outcomes, warnings in _execute(settings, registry, tasks, built_at, jobs, strict, pool):
            # A registry warning comes from every chunk that carries the disclaimer: say it once.
            report.warnings.extend(w for w in warnings if str(w) not in map(str, report.warnings))
            for outcome in outcomes:
                report.outcomes.append(outcome)
                if outcome.entry is not None:
                    entries[(outcome.slug, outcome.format)] = outcome.entry
                if progress:
                    progress(outcome)

        existing = {p.stem for p in discover(settings)}
        entries = {k: v for k, v in entries.items() if k[0] in existing}
        if entries != old:
            save_manifest(settings.build_dir, entries, built_at.isoformat(), versions)
        from ..site.gallery import write_gallery  # build/index.html: every build, after the manifest

        write_gallery(settings, registry, entries, report)
    report.outcomes.sort(key=lambda o: (o.slug, list(REGISTRY).index(o.format)))
    return report


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
    registry: Registry,
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
    args = [(settings, registry, c, built_at, strict) for c in chunks]
    if pool is not None:
        for outcomes, warnings, _version in pool.map(run_chunk, args):
            yield outcomes, warnings
        return
    if jobs <= 1 or len(chunks) == 1:
        for c in chunks:
            outcomes, warnings, _version = build_chunk(settings, registry, c, built_at, strict)
            yield outcomes, warnings
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for outcomes, warnings, _version in pool.map(run_chunk, args):
            yield outcomes, warnings


def _warm_pool(
    settings: Settings,
    registry: Registry,
    formats: Sequence[str],
    loaded: list[tuple[Article, tuple[Disclaimer, ...]]],
    old: dict[tuple[str, str], ManifestEntry],
    versions: dict[str, str],
    built_at: datetime,
    jobs: int,
    force: bool,
) -> ProcessPoolExecutor | None:
    """With --jobs > 1 and something to build, start the workers before the content checks, so
    that they load WeasyPrint and its fonts and convert the disclaimers while this process checks.
    An output whose key matches counts as done here; the real decision comes after the checks."""
    if jobs <= 1:
        return None
    pending = 0
    for article, applying in loaded:
        state = _review(settings, article, built_at).state
        for fmt in formats:
            prev = old.get((article.slug, fmt))
            if (
                force
                or prev is None
                or prev.key != cache_key(settings, REGISTRY[fmt], article, applying, versions, state)
            ):
                pending += 1
                break
    if not pending:
        return None
    workers = min(jobs, -(-pending // _chunk_size(pending, jobs)))
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=warm_worker, initargs=(settings, registry, tuple(formats))
    )
    pool.submit(int)  # starts the workers now (all at once: the pool forks)
    return pool
