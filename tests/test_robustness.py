"""Atomic outputs, the build lock, and a build killed mid-way."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import EPOCH as SOURCE_DATE_EPOCH
from conftest import REPO, Project, make_project

from publishkit.audit.readers import READERS
from publishkit.errors import LockError
from publishkit.formats import REGISTRY
from publishkit.kit import fsutil
from publishkit.kit.fsutil import LOCK_NAME, build_lock, write_atomic

EPOCH = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}


def _many(proj: Project, n: int, marker: str) -> None:
    body = (REPO / "source" / "ketamine-neurobiology.md").read_text(encoding="utf-8").split("---", 2)[2]
    for i in range(n):
        proj.article(f"copy-{i:03d}", f"{marker} {i}.\n\n{body}", title=f'"Copy {i} {marker}"')


def test_write_atomic_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "out" / "file.txt"
    write_atomic(target, b"old")
    write_atomic(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert [p.name for p in target.parent.iterdir()] == ["file.txt"]


def test_second_build_waits_then_says_so(project: Project) -> None:
    project.article("calm", "Rest.")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; sys.path.insert(0, sys.argv[1]);"
            "from pathlib import Path; from publishkit.kit.fsutil import build_lock\n"
            "with build_lock(Path(sys.argv[2])):\n print('locked', flush=True); time.sleep(30)",
            str(REPO),
            str(project.build),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        result = project.run("text")
        waited = time.monotonic() - started
        assert result.returncode == 1
        assert (
            "Error: lock: build: another publish.py is building into this folder; waited 10 s."
            in result.stderr
        )
        assert waited >= 9
        assert not project.out("calm", ".txt").exists()
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    assert project.run("text").returncode == 0


def test_lock_is_released_when_the_holder_dies(tmp_path: Path) -> None:
    with build_lock(tmp_path):
        pass
    assert not (tmp_path / LOCK_NAME).exists()  # removed on release
    (tmp_path / LOCK_NAME).write_bytes(b"")  # what a killed build leaves: taken over, then removed
    with build_lock(tmp_path, wait=0.5):
        pass
    assert not (tmp_path / LOCK_NAME).exists()


def test_no_lock_file_is_left_behind(project: Project) -> None:
    project.article("calm", "Rest.")
    for command in ("text", "check", "verify"):
        assert project.run(command, "--quiet").returncode in (0, 1)
        assert not (project.build / LOCK_NAME).exists(), command


def test_removing_the_lock_file_keeps_builds_exclusive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A waiter that opened the lock file before the holder removed it must not build alongside a
    newcomer that created a new one: it notices and waits on the new file instead."""
    real_flock = fsutil._flock_until
    trying, holding, release = threading.Event(), threading.Event(), threading.Event()

    def flock(*args: Any) -> None:
        trying.set()  # the file is open and about to be locked
        real_flock(*args)

    monkeypatch.setattr(fsutil, "_flock_until", flock)
    first = build_lock(tmp_path)
    first.__enter__()
    trying.clear()

    def waiter() -> None:
        with build_lock(tmp_path, wait=60):
            holding.set()
            release.wait(60)

    thread = threading.Thread(target=waiter)
    thread.start()
    assert trying.wait(60)  # the waiter holds the first build's file open
    first.__exit__(None, None, None)  # the first build ends and removes that file
    assert holding.wait(60)
    try:
        with pytest.raises(LockError), build_lock(tmp_path, wait=0):
            pass  # a newcomer must not get in while the waiter builds
    finally:
        release.set()
        thread.join()
    assert not (tmp_path / LOCK_NAME).exists()


def test_killed_build_leaves_old_or_new_good_outputs_only(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p")
    _many(proj, 12, "First")
    assert proj.run("all", "--jobs", "1", env=EPOCH).returncode == 0
    manifest = json.loads((proj.build / "manifest.json").read_text())
    old = {e["path"]: e["sha256"] for e in manifest["outputs"]}

    _many(proj, 12, "Second")
    proc = subprocess.Popen(
        [sys.executable, str(proj.root / "publish.py"), "all", "--jobs", "1", "--quiet"],
        cwd=proj.root,
        env={**os.environ, **EPOCH},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    changed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        changed = sum(
            1 for p, sha in old.items() if hashlib.sha256((proj.build / p).read_bytes()).hexdigest() != sha
        )
        if changed >= 3:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the build finished before it could be killed; make it bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 3 <= changed < len(old)

    for rel, sha in old.items():
        data = (proj.build / rel).read_bytes()
        if hashlib.sha256(data).hexdigest() == sha:
            continue  # the previous good output
        fmt = next(r for r in REGISTRY.values() if rel.endswith(r.suffix))
        text = READERS[fmt.reader].read(data).text  # the new one: whole and readable
        assert "Second" in text and "Last reviewed" in text

    # The next build finishes the job and leaves no temporary files behind.
    assert proj.run("all", env=EPOCH).returncode == 0
    assert not list(proj.build.rglob(".tmp-*"))
    assert proj.run("verify").returncode == 0


# ``all --jobs 2`` of one article: swept while the helper lays out its handout (finish.py).
@pytest.mark.parametrize("command", [["text"], ["all", "--jobs", "2"]], ids=["text", "helper"])
def test_stale_temp_files_are_removed_by_the_next_build(project: Project, command: list[str]) -> None:
    project.article("calm", "Rest.")
    stale = project.build / "calm" / ".tmp-abc123"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a file")
    assert project.run(*command).returncode == 0
    assert not stale.exists()


# Runs publish.py's CLI in a process where the PDF time limit "expires" at a chosen point: the
# real SIGALRM handler of publishkit.kit.timelimit fires there, whatever the machine's load. A tiny real
# limit instead fired wherever WeasyPrint happened to be (a font fetch, under load): a flaky test.
# Only in the main thread, where the limit is set: the head-start thread's one-line warm-up page
# (pipeline/headstart.py) runs no time limit, and a signal raised there lands on whatever limit
# the main thread has at that moment (the content check's).
_EXPIRE_AT = """
import signal, sys, threading
from pathlib import Path
sys.path.insert(0, str(Path.cwd()))
from publishkit.formats import pdf
where = sys.argv[1]
if where == "layout":
    import weasyprint.document
    real_layout = weasyprint.document.layout_document
    def layout(*args, **kwargs):
        if threading.current_thread() is threading.main_thread():
            signal.raise_signal(signal.SIGALRM)
        return real_layout(*args, **kwargs)
    weasyprint.document.layout_document = layout
else:
    from publishkit.pipeline import headstart
    headstart.start = lambda *args, **kwargs: None  # the fonts are fetched once: by the render here
    real_make = pdf.make_fetcher
    def make_fetcher(*args, **kwargs):
        fetcher = real_make(*args, **kwargs)
        real_fetch = fetcher.fetch
        def fetch(url, headers=None):
            if url.endswith(".ttf"):
                signal.raise_signal(signal.SIGALRM)
            return real_fetch(url, headers)
        fetcher.fetch = fetch
        return fetcher
    pdf.make_fetcher = make_fetcher
from publishkit.cli.main import main
sys.exit(main(sys.argv[2:], Path.cwd()))
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("where", ["layout", "fetch"])
def test_weasyprint_time_limit_fails_only_that_pdf(project: Project, where: str, jobs: str) -> None:
    """The limit expiring in layout, or inside WeasyPrint's fetcher (which wraps every exception
    as a fetch error), is reported as "too complex", and only the PDF fails; with --jobs 2, the
    one article's handout is laid out in the helper process, which sends the error back."""
    project.article("calm", "Rest well, drink plenty of water, and go to bed at the same time each night.")
    result = subprocess.run(
        [sys.executable, "-c", _EXPIRE_AT, where, "all", "--jobs", jobs, "--quiet"],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == (
        "Error: render: calm.pdf: too complex: laying out the handout took longer than 60 s\n"
    )
    assert not project.out("calm", ".pdf").exists()
    assert project.out("calm", ".docx").is_file() and project.out("calm", ".txt").is_file()


def test_pandoc_time_limit_is_a_clear_error(project: Project) -> None:
    project.article("calm", "Rest and drink water.")
    project.set_config(
        "[tool.publish.brand]", "[tool.publish.limits]\npandoc_timeout = 0.001\n\n[tool.publish.brand]"
    )
    result = project.run("text")
    assert result.returncode == 1
    assert "too complex: pandoc took longer than 0.001 s" in result.stderr
    assert "Traceback" not in result.stderr
