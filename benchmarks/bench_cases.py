"""Cases of the catalog benchmark beyond the whole build: one article against the peer, shards."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

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
