"""A wall-clock limit on a block of code that calls the implementation (a check, a figure)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class ImplTimeout(BaseException):
    """The block ran past its time limit.

    A BaseException, so Hypothesis does not catch it and re-run a hanging example while
    shrinking, and an implementation's ``except Exception`` cannot swallow it.
    """


@contextlib.contextmanager
def deadline(seconds: float, message: str) -> Iterator[None]:
    """Raise ImplTimeout(message) in the block once ``seconds`` have passed; no limit when
    ``seconds`` ≤ 0 or off the main thread (SIGALRM is delivered only there)."""
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise ImplTimeout(message)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
