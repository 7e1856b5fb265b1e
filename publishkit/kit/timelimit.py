"""A wall-clock limit for in-process work (WeasyPrint layout), so one hostile article cannot hang a build."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from ..errors import RenderError


@contextlib.contextmanager
def time_limit(seconds: float, what: str, path: str) -> Iterator[None]:
    """Raise RenderError("too complex: ...") if the block runs longer than ``seconds``.

    Uses SIGALRM, so it works in the main thread of a process (the CLI and each --jobs worker);
    elsewhere it does nothing rather than misbehave.
    """
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return

    fired = False

    def error() -> RenderError:
        return RenderError(f"too complex: {what} took longer than {seconds:g} s", path=path)

    def expired(_signum: int, _frame: FrameType | None) -> None:
        nonlocal fired
        fired = True
        raise error()

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except BaseException:
        # The library may have wrapped our exception in its own (WeasyPrint turns anything raised
        # in its URL fetcher, such as our alarm while it reads a font, into a fetch error): the
        # limit expired, so that is what the user hears, not "could not read a file".
        if fired:
            raise error() from None
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    # The library may have caught our exception and carried on: the limit still holds.
    if fired:
        raise error()


def injected(point: str, name: str) -> bool:
    """For tests only: ``PUBLISHKIT_TEST_INJECT="point:name,..."`` makes the time limit at
    ``point`` run out for ``name`` (an article's slug), so that what a slow article does to a
    build is tested without depending on how fast the machine is."""
    wanted = os.environ.get("PUBLISHKIT_TEST_INJECT", "")
    return bool(wanted) and f"{point}:{name}" in wanted.split(",")
