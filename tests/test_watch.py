"""`publish.py watch` in a subprocess: an edit is rebuilt within seconds; a signal stops it cleanly."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time

import pytest
from conftest import EPOCH, Project


class Watcher:
    """publish.py watch, with its output lines read as they come."""

    def __init__(self, project: Project) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(project.root / "publish.py"), "watch"],
            cwd=project.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.pumps = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self.lines.put), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self.stderr.append), daemon=True),
        ]
        for pump in self.pumps:
            pump.start()

    @staticmethod
    def _pump(stream: object, sink: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            sink(line.rstrip("\n"))  # type: ignore[operator]

    def next_line(self, timeout: float) -> str:
        return self.lines.get(timeout=timeout)

    def stop(self, sig: int) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for pump in self.pumps:
                pump.join(timeout=5)
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_watch_rebuilds_an_edit_and_stops_cleanly(project: Project, sig: int) -> None:
    path = project.article("calm", "Rest and drink water. Call us if you feel worse.\n")
    watcher = Watcher(project)
    try:
        assert watcher.next_line(20).startswith("Watching source/, templates/ for changes.")
        first = watcher.next_line(60)
        assert (
            first.endswith("start: 5 built, 0 up to date, 0 failed")
            or " start: 5 built, 0 up to date, 0 failed (" in first
        )
        assert (project.build / "index.html").is_file()
        stamp = (project.build / "_gallery" / "stamp.js").read_text(encoding="utf-8")

        time.sleep(0.3)
        path.write_text(
            path.read_text(encoding="utf-8").replace("drink water", "drink a glass of water"),
            encoding="utf-8",
        )
        started = time.monotonic()
        line = watcher.next_line(15)
        assert " source/calm.md: 5 built, 0 up to date, 0 failed (" in line, line
        assert time.monotonic() - started < 10
        assert "drink a glass of water" in project.out("calm", ".txt").read_text(encoding="utf-8")
        assert (project.build / "_gallery" / "stamp.js").read_text(
            encoding="utf-8"
        ) != stamp  # the gallery reloads

        # A broken save is reported in the words of a normal build, and watching goes on.
        path.write_text("---\ntitle: [broken\n---\n\nText.\n", encoding="utf-8")
        line = watcher.next_line(15)
        assert " source/calm.md: 0 built, 0 up to date, 5 failed (" in line, line
        deadline = time.monotonic() + 5
        while not watcher.stderr and time.monotonic() < deadline:
            time.sleep(0.05)
        assert watcher.stderr[-1].startswith("Error: source: source/calm.md:2: invalid YAML")
    finally:
        code = watcher.stop(sig)
    assert code == 0
    assert watcher.next_line(5) == "Stopped watching."
    assert not any("Traceback" in line for line in watcher.stderr), watcher.stderr
