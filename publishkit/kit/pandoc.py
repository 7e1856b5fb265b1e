"""Talk to the bundled pandoc: many documents per process, each with its own time limit."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .timelimit import injected

_SCRIPT = Path(__file__).resolve().with_name("batch.lua")  # absolute: pandoc may run in another folder


@cache
def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def bundle_version() -> str:
    """Version of the pandoc bundle, known without starting pandoc (used in cache keys)."""
    try:
        return "pypandoc-binary " + metadata.version("pypandoc-binary")
    except metadata.PackageNotFoundError:
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

    def problem(self, key: str, doing: str) -> str:
        """Why ``key`` failed, as the user reads it: ``doing`` says what pandoc was asked to do."""
        if key in self.stopped:
            return self.errors[key]
        return f"pandoc could not {doing}: {self.errors[key]}"


def _run(request: dict[str, Any], timeout: float, cwd: Path | None = None) -> BatchResult:
    """Run every job of ``request`` in as few pandoc processes as possible.

    Each job has ``timeout`` seconds of its own. A job that runs out of time (or makes pandoc
    crash) fails alone: pandoc is stopped and started again for the jobs after it, so one slow
    article never costs the others their outputs, and a good batch is one process as before."""
    jobs: list[dict[str, Any]] = request["jobs"]
    result = BatchResult(version="", values={}, errors={})
    while jobs:
        answers, version, failure = _run_once({**request, "jobs": jobs}, timeout, cwd)
        result.version = version or result.version
        for item in answers:
            if item.get("ok"):
                result.values[item["key"]] = item["value"]
            else:
                result.errors[item["key"]] = item.get("error", "unknown pandoc error")
        jobs = jobs[len(answers) :]
        if failure is not None and jobs:
            # The job pandoc was on when it stopped, and the rest of that article's jobs (its
            # other formats would most likely take as long): they fail; the others run again.
            owner = _owner(jobs[0]["key"])
            for job in jobs:
                if _owner(job["key"]) == owner:
                    result.errors[job["key"]] = failure
                    result.stopped.add(job["key"])
            jobs = [job for job in jobs if job["key"] not in result.stopped]
    return result


def _owner(key: str) -> str:
    """The article a job belongs to: a read's key is the slug, a write's "slug\x1fformat\x1fwriter"."""
    return key.split("\x1f")[0]


def _run_once(
    request: dict[str, Any], timeout: float, cwd: Path | None = None
) -> tuple[list[dict[str, Any]], str, str | None]:
    """One pandoc process: the answers it gave (in job order), its version, and why it stopped
    early (None when it answered every job)."""
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stderr:
        # Files, not pipes, for the request and pandoc's messages: nothing can fill up and block.
        stdin.write(json.dumps(request, ensure_ascii=False).encode("utf-8"))
        stdin.seek(0)
        proc = subprocess.Popen(
            [pandoc_path(), "lua", str(_SCRIPT)], cwd=cwd, stdin=stdin, stdout=subprocess.PIPE, stderr=stderr
        )
        try:
            lines, late = _answers(proc, [job["key"] for job in request["jobs"]], request["op"], timeout)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            assert proc.stdout is not None
            proc.stdout.close()
        stderr.seek(0)
        message = stderr.read().decode("utf-8", "replace").strip()[:500]
    version = json.loads(lines[0]).get("version", "") if lines else ""
    answers = [json.loads(line) for line in lines[1:]]
    if late:
        return answers, version, f"too complex: pandoc took longer than {timeout:g} s"
    if len(answers) < len(request["jobs"]):
        return answers, version, f"pandoc failed: {message or f'exit status {proc.returncode}'}"
    return answers, version, None


def _answers(
    proc: subprocess.Popen[bytes], keys: list[str], op: str, timeout: float
) -> tuple[list[bytes], bool]:
    """pandoc's answer lines (its version, then one per job) until it ends; True if a job took
    longer than ``timeout``: each job's clock starts when the answer before it arrives."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    lines: list[bytes] = []
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
            first, *complete = data.split(b"\n")
            done = max(len(lines) - 1, 0)  # answers before this read (the first line is the version)
            lines.append(b"".join([*pending, first]))
            lines.extend(complete[:-1])
            pending = [complete[-1]] if complete[-1] else []
            deadline = time.monotonic() + timeout
            for n in range(done, min(len(lines) - 1, len(keys))):
                if injected(f"pandoc-{op}", _owner(keys[n])):
                    del lines[n + 1 :]  # as if job n had run out of time
                    return lines, True


def read_many(docs: dict[str, str], timeout: float, *, sourcepos: bool = False) -> BatchResult:
    """Parse Markdown documents to pandoc ASTs (as JSON text) in one pandoc process.

    ``sourcepos`` adds source positions (``data-pos`` on wrapper Spans/Divs) for the content checks."""
    jobs = [{"key": k, "md": v, "sourcepos": sourcepos} for k, v in docs.items()]
    return _run({"op": "read", "jobs": jobs}, timeout)


def write_many(jobs: list[WriteJob], timeout: float, cwd: Path | None = None) -> BatchResult:
    """Write ASTs with pandoc's writers in one pandoc process, in ``cwd`` (where a binary writer
    finds the images named in the ASTs: see ``assets.media_copies``). A binary job's value is the
    path of the file it wrote; a text job's value is the text.

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
    result = _run({"op": "write", "jobs": payload}, timeout, cwd)
    for key, original in copies.items():
        if original in result.values:
            result.values[key] = result.values[original]
        if original in result.errors:
            result.errors[key] = result.errors[original]
        if original in result.stopped:
            result.stopped.add(key)
    return result
