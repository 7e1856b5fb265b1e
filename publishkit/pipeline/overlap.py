"""One chunk's conversion started before the content checks' verdict, so that pandoc and the checks
use both cores; nothing is rendered, audited or written before the verdict is in.

A build with checks that renders in this process (``publish.py watch``, a one-article build)
used to check, then read and write with pandoc, then lay out the handout: each step waiting for
the one before. Here a thread reads the articles, prepares each format's AST and has pandoc write
them (pandoc is a subprocess: the thread mostly waits on it) while this thread checks. The
renders start once the checks are done, each as soon as pandoc has answered its own writes (the
page-laid handout's come first in a watcher's batch: see warm.watch_order), while pandoc still
writes the others. An article the checks stop was converted for nothing: it is not rendered, its
warnings are not reported, and the report reads as if it had never been converted.

The checks keep this thread (their time limit is SIGALRM, which only the main thread gets), and
so do the renders (WeasyPrint's time limit, the same).
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
from concurrent.futures import Executor
from datetime import datetime
from pathlib import Path

from ..errors import PublishError
from ..kit.pandoc import Streamed, write_many
from ..model.approval import ApprovalState
from ..model.article import Article
from ..model.registry import Disclaimer, Registry
from ..model.settings import Settings
from .chunk import Prepared, Task, chunk_warnings, jobs_of, prepare
from .outcome import Outcome
from .plan import Job
from .render import Helper, render_all

# Most articles converted ahead of the checks: one chunk's worth (workers.py builds larger
# sets in chunks, in worker processes, where this does not apply).
MOST = 25


class Overlap:
    """``tasks`` converted in a thread from now on; ``finish`` renders those the checks let through."""

    def __init__(
        self,
        settings: Settings,
        registries: dict[str, Registry],
        tasks: list[Task],
        built_at: datetime,
        strict: bool,
        helper: Helper | None = None,
    ) -> None:
        self.settings, self.registries, self.helper = settings, registries, helper
        self._tmp = tempfile.TemporaryDirectory(prefix="publishkit-")
        self.written = Streamed()
        self._ready = threading.Event()  # set once ``prepare`` is over (or failed)
        self._prepared: Prepared | PublishError | None = None
        self._error: BaseException | None = None  # what went wrong in the thread
        args = (tasks, built_at, strict)
        self._thread = threading.Thread(target=self._convert, args=args, name="publishkit-convert")
        self._thread.start()

    def _convert(self, tasks: list[Task], built_at: datetime, strict: bool) -> None:
        tmp = Path(self._tmp.name)
        try:
            try:
                self._prepared = prepare(self.settings, self.registries, tasks, built_at, strict, tmp)
            finally:
                self._ready.set()
            write_many(self._prepared.jobs, self.settings.limits.pandoc_timeout, tmp / "media", self.written)
        except PublishError as exc:  # the whole chunk fails, as in build_chunk
            self._prepared = self._prepared or exc
            self._error = exc
        except BaseException as exc:  # a bug: raised again in the thread that renders
            self._error = exc
        finally:
            self.written.close()

    def finish(self, live: list[Task]) -> tuple[list[Outcome], list[PublishError]]:
        """Render, audit and write the outputs of ``live`` (the converted tasks the checks let
        through, with the same jobs), the handouts in the helper when there is one: what
        ``build_chunk`` would have returned for them."""
        try:
            self._ready.wait()
            prepared = self._prepared
            if not isinstance(prepared, Prepared):  # the disclaimers or the read failed
                if isinstance(self._error, PublishError):
                    return [o for t in live for o in t.failed(self._error)], []
                raise self._error or RuntimeError("the conversion ended without a result")
            warnings = chunk_warnings(self.settings, self.registries, live, prepared)
            rendering = prepared.rendering(self.written)
            outcomes = render_all(self.settings, self.registries, jobs_of(live), rendering, self.helper)
            self._thread.join()
            if isinstance(self._error, PublishError):  # pandoc's batch failed as a whole
                return [o for t in live for o in t.failed(self._error)], warnings
            if self._error is not None:
                raise self._error
            return outcomes, warnings
        finally:
            self.close()

    def close(self) -> None:
        """Wait for the thread (pandoc's own time limits bound it) and remove its files."""
        self._thread.join()
        self._tmp.cleanup()


def converting(
    settings: Settings,
    registries: dict[str, Registry],
    loaded: list[tuple[Article, dict[str, tuple[Disclaimer, ...]]]],
    todo: list[tuple[Job, str]],
    approvals: dict[str, dict[str, ApprovalState]],
    built_at: datetime,
    strict: bool,
    pool: Executor | None,
    stack: contextlib.ExitStack,
) -> Overlap | None:
    """The conversion of every article with something to build, started now, when they are built
    in this process as one chunk (at most MOST; no worker ``pool``, or a ``Helper``); None
    otherwise. ``stack`` cleans up after it. Each task's jobs in the planned order (``todo``'s),
    as build._tasks."""
    if pool is not None and not isinstance(pool, Helper):
        return None
    by_article: dict[str, list[tuple[Job, str]]] = {}
    for job, key in todo:
        by_article.setdefault(job.article.slug, []).append((job, key))
    tasks = [
        Task(article, applying, tuple(by_article[article.slug]), approvals[article.slug])
        for article, applying in loaded
        if article.slug in by_article
    ]
    if not tasks or len(tasks) > MOST:
        return None
    early = Overlap(settings, registries, tasks, built_at, strict, pool)
    stack.callback(early.close)
    return early
