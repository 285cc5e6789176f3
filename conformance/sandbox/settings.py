"""What the grader needs to start a worker for one submission: the grading options that
reach the sandbox (process.py starts it, isolation.py decides how)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Settings:
    """What the grader needs to start a worker for one submission."""

    path: str | None  # a .py file, or None with ``module``
    module: str | None
    sys_path: list[str]
    forbid: list[str]
    call_timeout: float = 10.0
    memory_mb: int = 4096
    file_mb: int = 64
    threads: int = 1
    #: Run the worker as this (unprivileged) user; the grader must be root. Without it, a
    #: root grader gives each worker a uid of its own.
    user: str | None = None
    #: "auto" (the OS sandbox where the machine allows it), "required" (refuse without it),
    #: or "process" (process isolation only).
    sandbox: str = "auto"
    #: Size of the sandbox's private /tmp (a tmpfs; its /dev/shm is a smaller one), and the
    #: bound on its processes and threads.
    tmp_mb: int = 256
    processes: int = 128
    #: Files the submission must never see even where they lie in its folder (the points
    #: table, the results files).
    private: list[str] = field(default_factory=list)
    #: The kit's packages the submission may import (``--allow-import``), with their folders.
    kit_allowed: list[str] = field(default_factory=list)
    #: The worker's uid, this run's alone (a root grader; None: drawn at random).
    uid: int | None = None
    #: When grading's time budget runs out (time.monotonic()), or None: no call runs past it.
    deadline: float | None = None
    #: How the budget is named in messages (the option that set it).
    budget: str = ""
    #: The adapter the worker builds the contract with, next to the submission, so that a
    #: network's calls are one request each: a shipped one's name (conformance/adapters), or
    #: the absolute path of the instructor's file (copied for the worker); None: none.
    adapter: str | None = None
