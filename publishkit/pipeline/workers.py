"""Worker processes: chunks of articles spread over --jobs processes, started warm."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any

from ..formats import REGISTRY
from ..model.registry import Registry
from ..model.settings import Settings
from . import headstart
from .chunk import Task, build_chunk, run_chunk, warm_worker
from .overlap import Overlap
from .plan import Job
from .render import Helper


def _chunk_size(n: int, jobs: int) -> int:
    return max(1, min(25, -(-n // max(1, jobs))))


def execute(
    settings: Settings,
    registries: dict[str, Registry],
    tasks: list[Task],
    built_at: datetime,
    jobs: int,
    strict: bool,
    pool: ProcessPoolExecutor | Overlap | None = None,
) -> Any:
    """Yield (outcomes, warnings) per chunk: in this process, or across ``jobs`` worker processes
    (the warm ``pool`` when there is one, even for a single chunk: its WeasyPrint is loaded).
    An ``Overlap`` has converted them already: it renders the ones given."""
    if isinstance(pool, Overlap):
        yield pool.finish(tasks)
        return
    if not tasks:
        return
    chunk = _chunk_size(len(tasks), jobs)
    chunks = [tasks[i : i + chunk] for i in range(0, len(tasks), chunk)]
    args = [(settings, registries, c, built_at, strict) for c in chunks]
    if isinstance(pool, Helper):  # one chunk, built here; its handouts laid out by the helper
        for c in chunks:
            outcomes, warnings, _version = build_chunk(settings, registries, c, built_at, strict, pool)
            yield outcomes, warnings
        return
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
    pool = ProcessPoolExecutor(max_workers=workers, initializer=warm_settled, initargs=initargs)
    pool.submit(int)  # starts the workers now (all at once: the pool forks)
    return pool


def warm_settled(*args: Any) -> None:
    """A pool worker's warm-up (``warm_worker``), ``headstart.settled``."""
    with headstart.settled():
        warm_worker(*args)


def start_workers(
    settings: Settings,
    registries: dict[str, Registry],
    formats: Sequence[str],
    todo: list[tuple[Job, str]],
    jobs: int,
) -> ProcessPoolExecutor | None:
    """Workers that warm up while this process checks. One article is built here, with
    ``jobs`` > 1 its handouts laid out by a ``Helper`` process started now. Without a helper,
    the renderers' imports load in a thread while this process waits on pandoc; with one, at
    their first render: the handout's page is composed here, and a thread importing them took
    the interpreter from the conversion on its way there (see README)."""
    if not todo:
        return None
    if len({job.article.slug for job, _key in todo}) > 1:
        return warm_pool(settings, registries, formats, todo, jobs)
    wanted = list(dict.fromkeys(job.format for job, _key in todo))
    away = [f for f in wanted if REGISTRY[f].offload] if jobs > 1 else []
    if away:
        # No rehearsal: the handout is sent before the helper's warm-up is over (see README).
        # No audit's readers: the handout is audited here (render.render_all).
        initargs = (settings, away, languages_of(todo), False, False)
        helper = Helper(max_workers=1, initializer=headstart.prefetch_settled, initargs=initargs)
        helper.submit(int)  # starts it now
        return helper
    headstart.start(settings, wanted, languages_of(todo))
    return None
