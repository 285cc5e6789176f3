"""Which isolation a grading run has, decided once before any submission runs, and killing
every process of a worker's uid.

``plan`` tries the operating-system sandbox (namespaces.py) with the exact view a worker will
get; where it cannot run, it falls back to process isolation (a worker process in its own
session), as a uid of its own where the grader is root and that uid can run Python.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from conformance.sandbox import namespaces
from conformance.sandbox.settings import Settings


class SandboxUnavailable(Exception):
    """--sandbox=required, and the operating-system sandbox cannot run here (the reason)."""


@dataclass
class Plan:
    """How this grading run isolates its workers, decided once before any submission runs."""

    isolation: namespaces.Isolation
    sandboxed: bool
    #: The uid the submission runs as (dedicated, or --worker-user's); None: the grader's own
    #: (or, in a user namespace, the unprivileged uid it maps the grader to).
    uid: int | None
    #: Folders of the kit's packages the assignment allows, and the folders above them that
    #: the worker's sys.path needs.
    kit_folders: list[Path]
    kit_path: list[str]
    #: The uid is this grading run's alone (not --worker-user's), so every process of it
    #: may be killed.
    dedicated: bool = True


def _kit_folders(names: list[str]) -> tuple[list[Path], list[str]]:
    import importlib.util

    sites = namespaces.site_dirs()
    folders, above = [], []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = Path(next(iter(spec.submodule_search_locations))).resolve()
        if any(site == folder.parent for site in sites):
            continue  # installed: the site-packages view shows it
        folders.append(folder)
        above.append(str(folder.parent))
    return folders, above


def _drop_code(uid: int) -> str:
    return f"import os; os.setgroups([]); os.setresgid({uid}, {uid}, {uid}); " + (
        f"os.setresuid({uid}, {uid}, {uid}); "
    )


def plan(settings: Settings, worker_py: Path) -> Plan:
    """Namespaces where the machine allows them (and --sandbox is not "process"), else process
    isolation; raises SandboxUnavailable under --sandbox=required without them."""
    uid: int | None
    if settings.user:
        import pwd

        uid = pwd.getpwnam(settings.user).pw_uid
    elif settings.uid is not None:
        uid = settings.uid
    else:
        uid = namespaces.dedicated_uid()
    kit_folders, kit_path = _kit_folders(settings.kit_allowed)
    as_root = os.geteuid() == 0
    if settings.sandbox != "process":
        box = namespaces.Sandbox(
            hidden=set(settings.forbid),
            allowed_kit=kit_folders,
            submission=[],
            tmp_mb=settings.tmp_mb,
            as_root=as_root,
        )
        probe = [
            namespaces.PYTHON,
            "-I",
            "-c",
            (_drop_code(uid) if as_root and uid else "") + "import numpy, json, inspect",
        ]
        why = namespaces.unavailable(box, worker_py, probe)
        if why is None:
            who = f"uid {uid}" if as_root and uid else "an unprivileged uid of a user namespace"
            detail = (
                f"{namespaces.version()}: PID, mount, network, IPC and UTS namespaces"
                f"{'' if as_root else ' in a user namespace'}; the submission runs as {who}, "
                f"sees only Python and the allowed packages, writes only a private "
                f"{settings.tmp_mb} MiB /tmp (and {namespaces.SHM_MB} MiB /dev/shm), at most "
                f"{settings.processes} processes, no network"
            )
            return Plan(
                namespaces.Isolation("namespaces", detail),
                True,
                uid if as_root else None,
                kit_folders,
                kit_path,
                dedicated=not settings.user,
            )
        if settings.sandbox == "required":
            raise SandboxUnavailable(
                f"--sandbox=required: the operating-system sandbox cannot run here: {why}"
            )
    else:
        why = "--sandbox=process"
    note = ""
    if settings.user and uid is not None and not _runs_as(uid):
        raise SandboxUnavailable(
            f"--worker-user={settings.user}: without the OS sandbox, that user cannot run this "
            f"Python and import NumPy ({namespaces.PYTHON}): make them readable by it, or "
            "leave the option out"
        )
    if uid is not None and not _runs_as(uid):
        note = "; as the grader's user: Python is not readable by an unprivileged uid here"
        uid = None
    who = f"as uid {uid}" if uid is not None else "as the grader's user"
    detail = (
        f"a worker process in its own session, {who}{note}, {settings.memory_mb} MiB, "
        f"files up to {settings.file_mb} MiB"
        + (f", at most {settings.processes} processes" if uid is not None else "")
    )
    return Plan(
        namespaces.Isolation("process", detail, why),
        False,
        uid,
        [],
        [],
        dedicated=not settings.user,
    )


def _runs_as(uid: int) -> bool:
    """Can an unprivileged uid run this Python and import NumPy (not where the interpreter
    lives in root's home)?"""
    try:
        done = subprocess.run(
            [namespaces.PYTHON, "-I", "-c", "import numpy"],
            user=uid,
            group=uid,
            extra_groups=[],
            cwd="/",
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
            env={"PATH": os.environ.get("PATH", "/usr/bin")},
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid``: ``kill -9 -1`` run as that uid, which the kernel
    delivers to all of its processes at once (no fork can race it), until none is left. (A
    program, started by subprocess's own fork-and-exec: forking the grader, which has
    threads, is unsafe.)"""
    program = shutil.which("kill")
    if program is None or os.geteuid() != 0:
        return
    for _ in range(20):
        try:
            subprocess.run(
                [program, "-9", "-1"],
                user=uid,
                group=uid,
                extra_groups=[],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=10,
                cwd="/",
                env={},
            )
        except (OSError, subprocess.SubprocessError):
            return
        if not any(_live_of(p, uid) for p in os.listdir("/proc") if p.isdigit()):
            return
        time.sleep(0.01)


def _live_of(pid: str, uid: int) -> bool:
    """Whether process ``pid`` runs as ``uid`` and is not a zombie (which waits to be reaped
    by its parent, and cannot be killed)."""
    try:
        if os.stat(f"/proc/{pid}").st_uid != uid:
            return False
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
