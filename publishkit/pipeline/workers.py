"""Worker processes: chunks of articles spread over --jobs processes, started warm."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any

from ..model.registry import Registry
from ..model.settings import Settings
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
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=warm_worker, initargs=(settings, registries, tuple(formats))
    )
    pool.submit(int)  # starts the workers now (all at once: the pool forks)
    return pool
