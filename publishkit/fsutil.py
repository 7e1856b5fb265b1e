"""Atomic file writes, hashing and the build lock: nothing in build/ is ever half-written."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import LockError

TMP_PREFIX = ".tmp-"
LOCK_NAME = ".publish.lock"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_stale_temps(build_dir: Path) -> int:
    """Delete temporary files left by a build that was killed. Call while holding the lock."""
    count = 0
    if build_dir.is_dir():
        for tmp in build_dir.rglob(f"{TMP_PREFIX}*"):
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
                count += 1
    return count


@contextlib.contextmanager
def build_lock(build_dir: Path, wait: float = 10.0) -> Iterator[None]:
    """Hold an exclusive lock on ``build_dir`` for the whole build; give up after ``wait`` seconds."""
    build_dir.mkdir(parents=True, exist_ok=True)
    lock_path = build_dir / LOCK_NAME
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockError(
                        f"another publish.py is building into this folder; waited {wait:g} s. "
                        "Try again when it has finished",
                        path=build_dir,
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock
