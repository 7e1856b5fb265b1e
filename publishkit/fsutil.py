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
    """Hold an exclusive lock on ``build_dir`` for the whole build; give up after ``wait`` seconds.

    The lock file is removed when the build ends, so it is not left behind. Removing a file that
    others lock needs care: a waiter may have opened it before it was removed, and would then win
    the lock on a file nobody else can see while a newcomer locks a fresh file of the same name.
    So the holder removes it while still holding the lock, and whoever wins a lock checks that the
    name still leads to the file it locked; if not, it starts again on the current file. A build
    that is killed leaves the file behind, which the next build takes over and removes.
    """
    lock_path = build_dir / LOCK_NAME
    deadline = time.monotonic() + wait
    while True:
        build_dir.mkdir(parents=True, exist_ok=True)  # again: `clean` may have removed it meanwhile
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _flock_until(fd, deadline, wait, build_dir)
            locked = os.fstat(fd)
            current = os.stat(lock_path)
        except FileNotFoundError:  # removed by the build before us after we opened it: again
            os.close(fd)
            continue
        except BaseException:
            os.close(fd)
            raise
        if (locked.st_dev, locked.st_ino) == (current.st_dev, current.st_ino):
            break
        os.close(fd)  # replaced meanwhile: lock the current one
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock_path)  # still held: a waiter on this file will see it is gone
        os.close(fd)  # closing the descriptor releases the lock


def _flock_until(fd: int, deadline: float, wait: float, build_dir: Path) -> None:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockError(
                    f"another publish.py is building into this folder; waited {wait:g} s. "
                    "Try again when it has finished",
                    path=build_dir,
                ) from None
            time.sleep(0.1)
