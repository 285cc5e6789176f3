"""What the grader keeps of its calls into a submission's workers: which calls returned and
which hung (CallHistory), and the pipes the calls travel through."""

from __future__ import annotations

import os

#: Bytes a pipe to or from the worker holds (Linux's default ceiling for an unprivileged
#: process): a frame of a 784×256 weight matrix crosses in 2 wake-ups of the reader, not 25.
PIPE_BYTES = 1 << 20


def pipe() -> tuple[int, int]:
    r, w = os.pipe()
    try:
        import fcntl

        fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):  # not Linux, or a lower ceiling: the default
        pass
    return r, w


class CallHistory:
    """What the submission's calls did across its workers: the calls that returned (or
    raised), and those that hung, with why. A call that hung and has never returned is not
    made again: it would hang again, and a submission that hangs in every call would cost the
    time limit in every check (half an hour over the suite) where its twin that raises costs
    nothing, for the same checks failed."""

    def __init__(self) -> None:
        self.returned: set[str] = set()
        self.hung: dict[str, str] = {}

    def refused(self, key: str | None) -> str | None:
        """Why the call ``key`` is not made, or None (None: not a call that is recorded)."""
        return self.hung[key] if key in self.hung and key not in self.returned else None

    def returned_from(self, key: str | None) -> None:
        if key is not None:
            self.returned.add(key)

    def hung_in(self, key: str | None, why: str) -> None:
        if key is not None:
            self.hung.setdefault(key, why)
