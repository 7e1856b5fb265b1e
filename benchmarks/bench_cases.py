"""Cases of the catalog benchmark beyond the whole build: one article against the peer, shards,
one edit under watch."""

from __future__ import annotations

import hashlib
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ONE_ARTICLE_RUNS = 5  # at least: a ratio of medians needs several runs of each side


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``, by its path there."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def one_article(
    root: Path, slug: str, jobs: int, runs: int, env: dict[str, str], peer: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """``publish.py all <slug> --force`` (a cold process, every format) and the peer's four
    commands on the same article, taking turns so that both see the same machine."""
    ours, theirs = [], []
    cmd = [sys.executable, str(root / "publish.py"), "all", slug, "--force", "--quiet", "--jobs", str(jobs)]
    for _ in range(max(ONE_ARTICLE_RUNS, runs)):
        t = time.perf_counter()
        subprocess.run(cmd, cwd=root, env=env, capture_output=True, check=True)
        ours.append(time.perf_counter() - t)
        theirs.append(peer())
    return ours, theirs


def _copy_project(root: Path, dest: Path) -> Path:
    shutil.copytree(root, dest, ignore=lambda d, names: ["build"] if Path(d) == root else [])
    return dest


def sharded(root: Path, work: Path, jobs: int, env: dict[str, str]) -> tuple[float, dict[str, str]]:
    """Two shards at once on this machine (``--shard 1/2`` and ``2/2``, each with half the
    workers), then ``merge-manifests`` in a third copy. Returns the wall time of it all and the
    digest of the merged build/."""
    copies = [_copy_project(root, work / f"shard-{k}") for k in (1, 2)]
    merged = _copy_project(root, work / "merged")
    half = str(max(1, jobs // 2))
    t = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "publish.py", "all", "--shard", f"{k}/2", "--quiet", "--jobs", half],
            cwd=copy,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for k, copy in enumerate(copies, 1)
    ]
    for proc in procs:
        _out, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"a shard exited {proc.returncode}:\n{err.decode()[-2000:]}")
    folders = [str(c / "build") for c in copies]
    subprocess.run(
        [sys.executable, "publish.py", "merge-manifests", "--quiet", *folders],
        cwd=merged,
        env=env,
        capture_output=True,
        check=True,
    )
    wall = time.perf_counter() - t
    return wall, tree_digest(merged / "build")


WATCH_EDITS = 5  # at least: the figure is a median


def _lines(stream: Any, sink: queue.Queue[str]) -> None:
    for line in iter(stream.readline, ""):
        sink.put(line)


def _wait_for(lines: queue.Queue[str], marker: str, timeout: float = 120.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        if marker in line:
            return line


def watch_edits(root: Path, slug: str, env: dict[str, str], edits: int) -> list[float]:
    """``publish.py watch``, then ``edits`` saves of one article, one at a time: for each, the
    time from the file's save (its mtime) to the new PDF's mtime (every format is written,
    audited, before the watcher says it built them). The watcher starts with build/ up to date."""
    source = root / "source" / f"{slug}.md"
    pdf = root / "build" / slug / f"{slug}.pdf"
    original = source.read_text(encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-u", "publish.py", "watch"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    out = []
    try:
        _wait_for(lines, " start: ")
        time.sleep(3.0)  # a person opens the editor; the watcher loads what it keeps warm
        for n in range(max(WATCH_EDITS, edits)):
            before = pdf.stat().st_mtime_ns
            source.write_text(original + f"\nThis edit, number {n + 1}, is saved now.\n", encoding="utf-8")
            saved = source.stat().st_mtime_ns
            _wait_for(lines, " built, ")
            if pdf.stat().st_mtime_ns == before:
                raise SystemExit(f"watch did not write {pdf.name} after edit {n + 1}")
            out.append((pdf.stat().st_mtime_ns - saved) / 1e9)
            time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        source.write_text(original, encoding="utf-8")
    return out
