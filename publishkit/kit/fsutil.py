"""Atomic file writes, hashing, the build lock, and symlink-free bounded reads of source files."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..errors import LockError

TMP_PREFIX = ".tmp-"
LOCK_NAME = ".publish.lock"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a mix.

    ``durable=False`` skips the two fsyncs, for files that are made again when found missing or
    damaged after a crash (the gallery's page previews): the swap is still atomic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TMP_PREFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if not durable:
        return
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def remove_stale_temps(build_dir: Path) -> int:
    """Delete temporary files left by a build that was killed. Call while holding the lock."""
    count = 0
    # os.walk: a third of the time of rglob on 500 articles' folders, and it never follows a
    # symlinked folder out of build/.
    for folder, _dirs, files in os.walk(build_dir):
        for name in files:
            if name.startswith(TMP_PREFIX):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(folder, name))
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


class UnsafePath(Exception):
    """A source file that may not be read: ``reason`` completes "<name> ..." in an error message."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name} {reason}")
        self.name = name
        self.reason = reason


class TooLarge(Exception):
    """A file over the size limit; ``size`` is what stat said, None if it grew while being read."""

    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def open_beneath(base: Path, parts: Sequence[str]) -> int:
    """A read-only descriptor for the regular file ``base/parts[0]/.../parts[-1]``.

    Each name is opened relative to the folder before it with O_NOFOLLOW, so no symlink is followed
    below ``base`` and nothing can be swapped in between the check and the read; ``..``, ``.`` and
    empty names are refused outright. O_NONBLOCK keeps a FIFO from hanging the open."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for i, name in enumerate(parts):
            shown = "/".join(parts[: i + 1])
            if name in ("", ".", "..") or "/" in name or "\0" in name:
                raise UnsafePath(shown, "is not a plain file name")
            last = i == len(parts) - 1
            flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | (os.O_NONBLOCK if last else os.O_DIRECTORY)
            try:
                nxt = os.open(name, flags, dir_fd=fd)
            except FileNotFoundError:
                raise UnsafePath(shown, "does not exist") from None
            except OSError as exc:
                # O_NOFOLLOW says ELOOP for a symlink, or ENOTDIR when O_DIRECTORY is set too.
                if exc.errno == errno.ELOOP or _is_link(name, fd):
                    raise UnsafePath(shown, "is a symbolic link") from None
                raise UnsafePath(shown, "is not a file" if last else "is not a folder") from exc
            os.close(fd)
            fd = nxt
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafePath("/".join(parts), "is not a file")
        return fd
    except BaseException:
        os.close(fd)
        raise


def read_fd(fd: int, limit: int) -> bytes:
    """At most ``limit`` bytes from ``fd``; TooLarge before reading anything when stat says more.

    The read itself stops at limit + 1 bytes, so a file that grows (or lies about its size) still
    costs no more memory than the limit allows."""
    size = os.fstat(fd).st_size
    if size > limit:
        raise TooLarge(size)
    chunks: list[bytes] = []
    got = 0
    while got <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    if got > limit:
        raise TooLarge(None)
    return b"".join(chunks)


def read_beneath(base: Path, parts: Sequence[str], limit: int) -> bytes:
    """``open_beneath`` then ``read_fd``: a source file read whole, safely and within ``limit``."""
    fd = open_beneath(base, parts)
    try:
        return read_fd(fd, limit)
    finally:
        os.close(fd)


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
