"""Talk to the bundled pandoc: many documents per process, each with its own time limit."""

from __future__ import annotations

import importlib.util
import json
import os
import selectors
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from .timelimit import injected
from .versions import NotInstalled, version

_SCRIPT = Path(__file__).resolve().with_name("batch.lua")  # absolute: pandoc may run in another folder


@cache
def pandoc_path() -> str:
    """The pandoc pypandoc-binary bundles (the one ``bundle_version`` names in every key), found
    without importing pypandoc: its import and its search (a ``pandoc --version`` run for each
    place it looks) cost about 40 ms before the first conversion. Where pypandoc-binary's file
    is not there, or ``PYPANDOC_PANDOC`` names another pandoc, pypandoc's own search decides."""
    if not os.environ.get("PYPANDOC_PANDOC"):
        spec = importlib.util.find_spec("pypandoc")
        for folder in (spec.submodule_search_locations or []) if spec is not None else []:
            bundled = os.path.join(os.path.realpath(folder), "files", "pandoc")
            if os.path.isfile(bundled) and os.access(bundled, os.X_OK):
                return bundled
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def bundle_version() -> str:
    """Version of the pandoc bundle, known without starting pandoc (used in cache keys)."""
    try:
        return "pypandoc-binary " + version("pypandoc-binary")
    except NotInstalled:
        return "pypandoc-binary unknown"


@dataclass(frozen=True)
class WriteJob:
    key: str
    ast: dict[str, Any]
    to: str  # a pandoc writer: html5, plain, docx, ...
    binary: bool = False  # pandoc writes the result to ``out`` (a docx is a zip), not to the answer
    out: str | None = None  # binary only: where pandoc writes the file
    reference_doc: str | None = None
    columns: int = 72
    wrap: str = "auto"


@dataclass
class BatchResult:
    version: str
    values: dict[str, str]
    errors: dict[str, str]  # key -> pandoc's own error (or, for keys in ``stopped``, the message)
    stopped: set[str] = field(default_factory=set)  # keys that stopped pandoc: time limit or crash
    copies: dict[str, list[str]] = field(default_factory=dict)  # key -> keys given the same answer

    def problem(self, key: str, doing: str) -> str:
        """Why ``key`` failed, as the user reads it: ``doing`` says what pandoc was asked to do."""
        if key in self.stopped:
            return self.errors[key]
        return f"pandoc could not {doing}: {self.errors[key]}"

    def record(self, item: dict[str, Any]) -> None:
        """One line of pandoc's answer: its version, or one job's value or error (and its copies')."""
        if "key" not in item:
            self.version = item.get("version", "") or self.version
            return
        for key in [item["key"], *self.copies.get(item["key"], ())]:
            if item.get("ok"):
                self.values[key] = item["value"]
            else:
                self.errors[key] = item.get("error", "unknown pandoc error")

    def stop(self, key: str, message: str) -> None:
        """``key`` (and its copies) stopped pandoc: a time limit or a crash."""
        for k in [key, *self.copies.get(key, ())]:
            self.stopped.add(k)  # before the error: a reader seeing the error sees it stopped
            self.errors[k] = message

    def wait(self, keys: Iterable[str]) -> None:
        """Return once every one of ``keys`` has its answer: at once here, as pandoc is done."""


class Streamed(BatchResult):
    """A batch's answers while pandoc still writes them, filled by the thread that runs it
    (``write_many(..., into=)``): ``wait`` returns once the keys asked for have their answers,
    so the first output can be rendered while pandoc writes the others."""

    def __init__(self) -> None:
        super().__init__("", {}, {})
        self._changed = threading.Condition()
        self._done = False

    def record(self, item: dict[str, Any]) -> None:
        with self._changed:
            super().record(item)
            self._changed.notify_all()

    def stop(self, key: str, message: str) -> None:
        with self._changed:
            super().stop(key, message)
            self._changed.notify_all()

    def close(self) -> None:
        """pandoc is done (or failed): every waiter returns, with what there is."""
        with self._changed:
            self._done = True
            self._changed.notify_all()

    def wait(self, keys: Iterable[str]) -> None:
        wanted = list(keys)

        def answered() -> bool:
            return self._done or all(k in self.values or k in self.errors for k in wanted)

        with self._changed:
            self._changed.wait_for(answered)


def _run(
    request: dict[str, Any], timeout: float, cwd: Path | None = None, into: BatchResult | None = None
) -> BatchResult:
    """Run every job of ``request`` in as few pandoc processes as possible, each answer recorded
    in ``into`` (a new BatchResult without one) as it arrives.

    Each job has ``timeout`` seconds of its own. A job that runs out of time (or makes pandoc
    crash) fails alone: pandoc is stopped and started again for the jobs after it, so one slow
    article never costs the others their outputs, and a good batch is one process as before."""
    jobs: list[dict[str, Any]] = request["jobs"]
    result = into if into is not None else BatchResult(version="", values={}, errors={})
    while jobs:
        answered, failure = _run_once({**request, "jobs": jobs}, timeout, cwd, result.record)
        jobs = jobs[answered:]
        if failure is not None and jobs:
            # The job pandoc was on when it stopped, and the rest of that article's jobs (its
            # other formats would most likely take as long): they fail; the others run again.
            owner = _owner(jobs[0]["key"])
            for job in jobs:
                if _owner(job["key"]) == owner:
                    result.stop(job["key"], failure)
            jobs = [job for job in jobs if job["key"] not in result.stopped]
    return result


def _owner(key: str) -> str:
    """The article a job belongs to: a read's key is the slug, a write's "slug\x1fformat\x1fwriter"."""
    return key.split("\x1f")[0]


def _run_once(
    request: dict[str, Any],
    timeout: float,
    cwd: Path | None,
    record: Callable[[dict[str, Any]], None],
) -> tuple[int, str | None]:
    """One pandoc process, each line of its answer (its version, then one per job, in job order)
    given to ``record`` as it arrives: how many jobs it answered, and why it stopped early (None
    when it answered every job)."""
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stderr:
        # Files, not pipes, for the request and pandoc's messages: nothing can fill up and block.
        stdin.write(json.dumps(request, ensure_ascii=False).encode("utf-8"))
        stdin.seek(0)
        proc = subprocess.Popen(
            [pandoc_path(), "lua", str(_SCRIPT)], cwd=cwd, stdin=stdin, stdout=subprocess.PIPE, stderr=stderr
        )
        try:
            keys = [job["key"] for job in request["jobs"]]
            lines, late = _answers(proc, keys, request["op"], timeout, record)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            assert proc.stdout is not None
            proc.stdout.close()
        stderr.seek(0)
        message = stderr.read().decode("utf-8", "replace").strip()[:500]
    answered = max(lines - 1, 0)  # the first line is pandoc's version
    if late:
        return answered, f"too complex: pandoc took longer than {timeout:g} s"
    if answered < len(request["jobs"]):
        return answered, f"pandoc failed: {message or f'exit status {proc.returncode}'}"
    return answered, None


def _answers(
    proc: subprocess.Popen[bytes],
    keys: list[str],
    op: str,
    timeout: float,
    record: Callable[[dict[str, Any]], None],
) -> tuple[int, bool]:
    """Give ``record`` pandoc's answer lines (its version, then one per job) until it ends: how
    many lines, and True if a job took longer than ``timeout``: each job's clock starts when the
    answer before it arrives."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    lines = 0
    pending: list[bytes] = []  # the start of a line not yet complete (one AST can be megabytes)
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                return lines, True
            data = os.read(fd, 1 << 20)
            if not data:
                return lines, False
            if b"\n" not in data:
                pending.append(data)
                continue
            first, *rest = data.split(b"\n")
            complete = [b"".join([*pending, first]), *rest[:-1]]
            pending = [rest[-1]] if rest[-1] else []
            deadline = time.monotonic() + timeout
            for line in complete:
                n = lines - 1  # the job this line answers (the first line is the version)
                if 0 <= n < len(keys) and injected(f"pandoc-{op}", _owner(keys[n])):
                    return lines, True  # as if job n had run out of time
                record(json.loads(line))
                lines += 1


def read_many(docs: dict[str, str], timeout: float, *, sourcepos: bool = False) -> BatchResult:
    """Parse Markdown documents to pandoc ASTs (as JSON text) in one pandoc process.

    ``sourcepos`` adds source positions (``data-pos`` on wrapper Spans/Divs) for the content checks."""
    jobs = [{"key": k, "md": v, "sourcepos": sourcepos} for k, v in docs.items()]
    return _run({"op": "read", "jobs": jobs}, timeout)


def write_many(
    jobs: list[WriteJob], timeout: float, cwd: Path | None = None, into: BatchResult | None = None
) -> BatchResult:
    """Write ASTs with pandoc's writers in one pandoc process, in ``cwd`` (where a binary writer
    finds the images named in the ASTs: see ``assets.media_copies``). A binary job's value is the
    path of the file it wrote; a text job's value is the text. With ``into`` (a ``Streamed``),
    each answer is recorded there as pandoc gives it.

    Identical text jobs (same AST, writer and options: the email page and the .eml's HTML part,
    or formats of an article with no format-specific content) are written once."""
    payload = []
    first_key: dict[tuple[str, ...], str] = {}
    copies: dict[str, str] = {}  # key -> the key of the identical job that is actually written
    for job in jobs:
        ast = json.dumps(job.ast, ensure_ascii=False)
        if not job.binary:  # a binary job writes its own file: never shared
            same = (ast, job.to, str(job.columns), job.wrap, job.reference_doc or "")
            if same in first_key:
                copies[job.key] = first_key[same]
                continue
            first_key[same] = job.key
        item: dict[str, Any] = {
            "key": job.key,
            "ast": ast,
            "to": job.to,
            "columns": job.columns,
            "wrap": job.wrap,
        }
        if job.binary:
            if not job.out:
                raise ValueError(f"binary write job '{job.key}' has no output file")
            item["binary"] = True
            item["out"] = job.out
        if job.reference_doc:
            item["reference_doc"] = job.reference_doc
        payload.append(item)
    result = into if into is not None else BatchResult("", {}, {})
    for key, original in copies.items():
        result.copies.setdefault(original, []).append(key)
    return _run({"op": "write", "jobs": payload}, timeout, cwd, result)
