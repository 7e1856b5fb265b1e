"""Worker processes: chunks of articles spread over --jobs processes, started warm."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any

from ..model.article import Article
from ..model.registry import Registry
from ..model.settings import Settings
from . import headstart
from .chunk import Task, build_chunk, run_chunk, warm_worker
from .plan import Job


def _chunk_size(n: int, jobs: int) -> int:
    return max(1, min(25, -(-n // max(1, jobs))))


def execute(
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


def languages_of(todo: list[tuple[Job, str]]) -> tuple[str, ...]:
    """The languages the handouts to build are hyphenated in."""
    return tuple(dict.fromkeys(job.variant.language or job.article.meta.language for job, _key in todo))


def warm_pool(
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
    initargs = (settings, registries, tuple(formats), languages_of(todo))
    pool = ProcessPoolExecutor(max_workers=workers, initializer=warm_worker, initargs=initargs)
    pool.submit(int)  # starts the workers now (all at once: the pool forks)
    return pool


def start_workers(
    settings: Settings,
    registries: dict[str, Registry],
    formats: Sequence[str],
    todo: list[tuple[Job, str]],
    jobs: int,
    checked: Sequence[Article] = (),
) -> ProcessPoolExecutor | None:
    """Workers that warm up while this process checks ``checked``. When a single worker would
    only wait for its own warm-up (one article to build, every check result cached), this process
    builds it, with the renderers' imports in a thread while it waits on pandoc (see README)."""
    if not todo:
        return None
    if len({job.article.slug for job, _key in todo}) > 1 or _will_check(settings, checked):
        pool = warm_pool(settings, registries, formats, todo, jobs)
        if pool is not None:
            return pool
    headstart.start(settings, [job.format for job, _key in todo], languages_of(todo))
    return None


def _will_check(settings: Settings, articles: Sequence[Article]) -> bool:
    """Whether the content checks will run for any of ``articles`` (not all read from check.json)."""
    if not articles:
        return False
    from ..checks.runner import unchecked

    return bool(unchecked(settings, articles))
