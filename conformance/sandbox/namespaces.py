"""The operating-system sandbox of a grading worker: bubblewrap namespaces, and what they show.

The worker runs under ``bwrap`` in new PID, mount, network, IPC, UTS (and, where the grader is
not root, user) namespaces. Its file system is built from nothing: the system's libraries,
the Python runtime, site-packages with the forbidden packages and the kit emptied (each of
their folders holds only an ``__init__`` that fails to import, so their code is nowhere in
the view), the worker's own four pieces (worker.py, its loops, the wire package, the notebook
reader), the submission's private copy, and one size-limited tmpfs at /tmp, its only writable place,
discarded with the sandbox. There is no network, only a loopback of its own.

As root (Gradescope, PrairieLearn, a container), bwrap keeps no user namespace: it sets the
view up as root, keeps only CAP_SETUID and CAP_SETGID, and the worker drops to a uid of its
own before the submission runs, so that the process bound (RLIMIT_NPROC, which never binds
root) holds and nothing outside the view is reachable by that uid either. As a user, bwrap
maps the user to an unprivileged uid in a new user namespace. Either way, when the worker
ends, the namespace's first process ends and the kernel kills every process the submission
started, however it forked; ``--die-with-parent`` does the same when the grader dies.

Nothing here runs the submission or trusts it: the view is computed in the grader.
"""

from __future__ import annotations

import csv
import functools
import os
import random
import re
import shutil
import site
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The interpreter the worker runs, as a clean absolute path (``../venv/bin/python`` would
#: name a folder the sandbox does not have); not resolved, which would leave the venv.
PYTHON = os.path.normpath(os.path.abspath(sys.executable))
#: The ``__init__.py`` of a forbidden package in the sandbox.
ABSENT = Path(__file__).with_name("absent_package_init.txt")
#: Where the worker's own files appear inside the sandbox.
WORKER_ROOT = "/bp"
#: Size of the sandbox's /dev/shm (its /tmp is Settings.tmp_mb).
SHM_MB = 16
#: Dedicated uids for workers of a root grader are drawn from here (no account has them).
UID_BASE, UID_SPAN = 1_900_000_000, 200_000_000
#: Files of /etc that Python, NumPy and Matplotlib read; the rest of /etc is not shown.
ETC = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "alternatives",
    "fonts",
    "mime.types",
    "nsswitch.conf",
)
#: Top-level directories of the system that hold programs and libraries.
SYSTEM = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
#: Distributions the worker itself needs before the submission runs: never hidden, whatever
#: the assignment forbids (it cannot forbid them meaningfully: the worker has loaded them).
WORKER_NEEDS = frozenset({"numpy"})
#: The kit's own distribution, hidden from every submission whatever its install looks like.
KIT_DISTRIBUTION = "backprop-conformance"
KIT_PACKAGES = ("reference", "conformance")


@dataclass
class Isolation:
    """Which isolation a grading run has: ``namespaces`` or ``process``, in words, and (for
    ``process``) why the operating-system sandbox is not in force."""

    level: str
    detail: str
    why_not: str | None = None

    def line(self) -> str:
        why = f" (no OS sandbox: {self.why_not})" if self.why_not else ""
        return f"{self.level}: {self.detail}{why}"


def bwrap() -> str | None:
    return shutil.which("bwrap")


def dedicated_uid() -> int | None:
    """A uid of the worker's own when the grader is root (None otherwise)."""
    if os.geteuid() != 0:
        return None
    return UID_BASE + random.SystemRandom().randrange(UID_SPAN)


@functools.lru_cache(maxsize=1)
def version() -> str:
    exe = bwrap()
    if exe is None:
        return "?"
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.stdout.strip() or "bubblewrap"


# -- the view --------------------------------------------------------------------------------


def _bind(src: str | Path, dest: str | Path | None = None) -> list[str]:
    return ["--ro-bind", str(src), str(dest if dest is not None else src)]


def system_view() -> list[str]:
    """Programs, libraries and the few files of /etc they read; merged-/usr links as links."""
    args: list[str] = []
    for name in SYSTEM:
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += _bind(path)
    for name in ETC:
        path = Path("/etc") / name
        if path.exists():
            args += _bind(path)
    return args


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def hidden_entries(site_dir: Path, hidden: set[str]) -> set[str]:
    """The entries of a site-packages folder that a submission must not see: every file of a
    distribution that provides a hidden top-level package (torch brings torchgen and
    functorch along), the kit's distribution, entries named after a hidden package, and all
    ``.pth`` files (they run code at start-up and add folders, the kit's editable install's
    among them)."""
    import importlib.metadata as md

    out: set[str] = set()
    try:
        dists = list(md.distributions(path=[str(site_dir)]))
    except Exception:  # a broken distribution must not stop grading: entries below suffice
        dists = []
    for dist in dists:
        name = _normal(dist.metadata.get("Name") or "")
        tops = _top_entries(dist)
        provided = {t.split(".")[0] for t in tops} | {
            line.strip() for line in (dist.read_text("top_level.txt") or "").splitlines()
        }
        if name in {_normal(n) for n in WORKER_NEEDS}:
            continue
        if name == KIT_DISTRIBUTION:  # all of it but the packages the assignment allows
            out |= {t for t in tops if t in hidden or t not in KIT_PACKAGES}
        elif provided & hidden or name in {_normal(h) for h in hidden}:
            out |= tops
    entries = set(os.listdir(site_dir))
    for entry in entries:
        stem = entry.split(".")[0].split("-")[0]
        if entry.endswith(".pth") or stem in hidden:
            out.add(entry)
    # A distribution's files may lie outside the folder (its scripts: "../../../bin/x").
    return (out & entries) - set(WORKER_NEEDS)


def _top_entries(dist: Any) -> set[str]:
    """The first path component of every file a distribution installed. Read from its RECORD
    as CSV where it has one: ``dist.files`` makes a path object per file, seconds for torch's
    tens of thousands, at every grading run's start."""
    record = dist.read_text("RECORD")
    if record is None:
        return {f.parts[0] for f in dist.files or () if f.parts}
    return {row[0].split("/", 1)[0] for row in csv.reader(record.splitlines()) if row and row[0]}


def site_dirs() -> list[Path]:
    """The site-packages folders the worker's Python reads (``python -I``: no user site),
    and those of the base installation and the system that it does not read but that the
    view would otherwise show as files (a forbidden package there could be run by path)."""
    found = []
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    others = [
        Path(sys.base_prefix) / "lib" / version / "site-packages",
        Path("/usr/lib/python3/dist-packages"),
        Path("/usr/lib") / version / "dist-packages",
        Path("/usr/lib") / version / "site-packages",
        Path("/usr/local/lib") / version / "dist-packages",
        Path("/usr/local/lib") / version / "site-packages",
    ]
    for entry in [*site.getsitepackages(), *others]:
        path = Path(entry)
        if path.is_dir() and path not in found:
            found.append(path)
    return found


@functools.lru_cache(maxsize=8)
def python_view(hidden: frozenset[str]) -> tuple[str, ...]:
    """The Python runtime, and each site-packages folder with its hidden entries emptied: a
    folder of a hidden distribution becomes a read-only folder holding only ABSENT as its
    ``__init__``, a file /dev/null. The code of a forbidden package is then nowhere in the
    view, and importing it fails, whoever removes the worker's import guard. (Binding each
    allowed entry instead would show even less, but costs a mount per entry: half a second
    per worker start.)"""
    args: list[str] = []
    base, prefix = Path(sys.base_prefix), Path(sys.prefix)
    if not str(base).startswith("/usr/"):
        args += _bind(base)
    if prefix != base:  # a virtual environment: its interpreter links and pyvenv.cfg
        for name in ("pyvenv.cfg", "bin"):
            if (prefix / name).exists():
                args += _bind(prefix / name)
    for folder in site_dirs():
        args += _bind(folder)
        for entry in sorted(hidden_entries(folder, set(hidden))):
            path = folder / entry
            if path.is_dir() and not path.is_symlink():
                args += ["--perms", "0555", "--size", "4096", "--tmpfs", str(path)]
                if entry.isidentifier():  # importable: an __init__ that says it is absent
                    args += _bind(ABSENT, path / "__init__.py")
            elif path.exists() or path.is_symlink():
                args += _bind("/dev/null", path)
    return tuple(args)


def worker_view(worker_py: Path) -> list[str]:
    """worker.py, its loops, the wire package, the notebook reader and the shipped adapters,
    laid out as worker.py expects."""
    here = worker_py.parent
    return [
        *_bind(worker_py, f"{WORKER_ROOT}/sandbox/worker.py"),
        *_bind(here / "loops.py", f"{WORKER_ROOT}/sandbox/loops.py"),
        *_bind(here / "wire", f"{WORKER_ROOT}/sandbox/wire"),
        *_bind(here.parent / "notebook", f"{WORKER_ROOT}/notebook"),
        *_bind(here.parent / "adapters", f"{WORKER_ROOT}/adapters"),
    ]


@dataclass
class Sandbox:
    """What one worker's sandbox holds and may use."""

    hidden: set[str]
    allowed_kit: list[Path]
    #: (the private copy, where the submission sees it)
    submission: list[tuple[Path, Path]]
    tmp_mb: int
    as_root: bool
    #: (the copy of the instructor's adapter file, where the worker loads it), or None
    adapter: tuple[Path, str] | None = None


def command(box: Sandbox, worker_py: Path, argv: list[str]) -> list[str]:
    """The bwrap command line that runs ``argv`` (the worker's) inside the sandbox."""
    exe = bwrap()
    assert exe is not None
    namespaces = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    if box.as_root:
        # No user namespace: the worker drops to its own uid (see the module's docstring).
        namespaces += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        namespaces = ["--unshare-user", *namespaces, "--disable-userns", "--uid", "65534"]
        namespaces += ["--gid", "65534"]
    args = [
        exe,
        *namespaces,
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--hostname",
        "sandbox",
        *system_view(),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
    ]
    # The private tmpfs first: what is bound below /tmp (a virtual environment there, the
    # submission's folder) goes on top of it.
    # Both writable by the worker's uid, like the real ones; /dev/shm only as large as POSIX
    # semaphores and small shared buffers need, so that the sandbox's memory-backed storage
    # is the /tmp the header states plus SHM_MB, not twice that.
    for place, size_mb in (("/tmp", box.tmp_mb), ("/dev/shm", SHM_MB)):
        args += ["--perms", "1777", "--size", str(size_mb << 20), "--tmpfs", place]
    # The submission's folders, then what may lie inside them (a virtual environment made in
    # the student's folder, the reference in a clone of the kit) on top.
    for copy, seen_at in box.submission:
        args += _bind(copy, seen_at)
    later = list(python_view(frozenset(box.hidden)))
    for package in box.allowed_kit:
        later += _bind(package)
    _mount_points(box.submission, later)
    args += later
    args += _open_parents(args)
    args += worker_view(worker_py) + (_bind(*box.adapter) if box.adapter else [])
    args += ["--chdir", "/tmp", "--", *argv]
    return args


def _mount_points(submission: list[tuple[Path, Path]], later: list[str]) -> None:
    """A mount inside a submission's folder needs its mount point in that folder's copy, which
    is read-only in the sandbox: made here, in the grader, before the sandbox starts."""
    dests = {
        Path(later[i + 2]): Path(later[i + 1]) for i, a in enumerate(later) if a == "--ro-bind"
    }
    dests |= {Path(later[i + 1]): None for i, a in enumerate(later) if a == "--tmpfs"}
    for dest, src in dests.items():
        if any(other in dest.parents for other in dests):
            continue  # inside another of these mounts, whose source holds its mount point
        for copy, seen_at in submission:
            if seen_at not in dest.parents:
                continue
            point = copy / dest.relative_to(seen_at)
            # The folders down to it let everyone pass (0711): bwrap executes the Python found
            # there as a root without CAP_DAC_OVERRIDE, before the worker takes its uid. The
            # copy's own folder on the host stays 0700, so no one else reaches them there.
            if src is None or src.is_dir():
                point.mkdir(parents=True, exist_ok=True)
            elif not point.exists():
                point.parent.mkdir(parents=True, exist_ok=True)
                point.touch()
            folder = point.parent
            while folder == copy or copy in folder.parents:
                folder.chmod(folder.stat().st_mode & 0o777 | 0o011)
                folder = folder.parent


def _open_parents(args: list[str]) -> list[str]:
    """bwrap creates the folders above a mount point as 0700 when it runs as root, which would
    lock the worker's uid out of them: open each (they hold nothing but mount points)."""
    binds = {Path(args[i + 2]) for i, a in enumerate(args) if a == "--ro-bind"}
    tmpfs = {Path(args[i + 1]) for i, a in enumerate(args) if a == "--tmpfs"}
    parents: set[Path] = set()
    for dest in binds | tmpfs:
        for parent in dest.parents:
            if parent == Path("/") or parent in binds | tmpfs:
                break  # a mount's own folder, or above it
            if any(b in parent.parents for b in binds):
                break  # inside a read-only bind: not bwrap's folder
            parents.add(parent)
    return [a for parent in sorted(parents) for a in ("--chmod", "0755", str(parent))]


# -- can it run here? ------------------------------------------------------------------------


def unavailable(box: Sandbox, worker_py: Path, probe: list[str]) -> str | None:
    """Why this sandbox cannot start on this machine (None: it can): runs ``probe`` (an
    interpreter that takes the worker's uid and imports NumPy) in its exact view, before any
    submission code exists."""
    if not sys.platform.startswith("linux"):
        return f"namespaces are Linux's; this is {sys.platform}"
    if bwrap() is None:
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    try:
        done = subprocess.run(
            command(box, worker_py, probe),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bwrap did not start: {err}"
    if done.returncode != 0:
        said = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        return f"bwrap failed: {said[-1] if said else f'exit code {done.returncode}'}"[:300]
    return None
