"""What was read from files, remembered while every one of the files keeps its stat.

A watching process rebuilds after each save, and most of what a rebuild reads (the settings, the
disclaimer registries, the manifest) did not change since the last one. A file counts as unchanged
while its inode, size, mtime and ctime are the same. A file modified very recently is not
trusted that way: a second write in the same clock tick of the file system can leave mtime and
size as they were (git calls this "racy"), so such a read is not remembered and the next call
reads the file again. A file this process itself just wrote whole (write_atomic: a new inode)
is remembered with ``remember``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

# Older than this, a file's stat is trusted to change with its bytes (2 s: the coarsest common
# mtime granularity, FAT's, with room to spare).
RACY_NS = 2_000_000_000

Stamp = tuple[int, int, int, int] | None


def stamp(path: Path) -> Stamp:
    """The file's identity for this purpose; None when it does not exist (or cannot be read)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class StatMemo(Generic[T]):
    """Values by key, each valid while the files it was read from keep their stamps."""

    def __init__(self) -> None:
        self._memo: dict[Hashable, tuple[tuple[Path, ...], tuple[Stamp, ...], T]] = {}

    def get(
        self,
        key: Hashable,
        paths: Sequence[Path],
        read: Callable[[], T],
        more: Callable[[T], Sequence[Path]] = lambda _v: (),
    ) -> T:
        """The remembered value of ``key`` when ``paths`` (and ``more`` of it, files the value
        itself names) are unchanged; else ``read()``, remembered when none is recent."""
        hit = self._memo.get(key)
        if hit is not None and tuple(stamp(p) for p in hit[0]) == hit[1]:
            return hit[2]
        before = [stamp(p) for p in paths]  # before reading: a write during the read shows next time
        value = read()
        names = (*paths, *more(value))
        stamps = (*before, *(stamp(p) for p in names[len(paths) :]))
        now = time.time_ns()
        if all(s is None or now - s[2] > RACY_NS for s in stamps):
            self._memo[key] = (tuple(names), tuple(stamps), value)
        else:
            self._memo.pop(key, None)
        return value

    def remember(self, key: Hashable, path: Path, value: T) -> None:
        """``value`` is what this process just wrote to ``path`` whole, by an atomic rename."""
        self._memo[key] = ((path,), (stamp(path),), value)
