"""Grading mode's isolation: the submission runs in a worker process, the checks in the grader.

The grader never imports the submission. It spawns ``_worker.py`` (a fresh interpreter, new
session, memory and file-size limits, forbidden imports refused) and talks to it through
``_wire`` frames. The checks see the submission through proxies: ``RemoteModule`` for the
module, ``RemoteObject`` for anything that is not plain data (a network, a bound method), and
``RemoteList`` for lists the submission owns (``net.weights[i] = W`` reaches the worker).
Arrays are copies kept in step with the worker's memory after every call, so aliasing, in-place
updates and views behave as they would in one process.

Each wait for the worker is bounded by the call time limit; a worker that hangs, crashes or
breaks the protocol is killed with every process it started, and the next call starts a new
one (up to ``MAX_RESTARTS``).
"""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.sandbox.errors import SubmissionDied, SubmissionError, SubmissionRaised, raised_class
from conformance.sandbox.wire import codec as wire

WORKER = Path(__file__).with_name("worker.py")
#: More than the suite's number of checks: a submission that dies in every check still gets
#: every check run (each fails at its first call), so dying never costs honest points.
MAX_RESTARTS = 250
#: Output of the submission kept for the student (the rest is counted and dropped).
OUTPUT_KEPT = 16 * 1024
#: The kit itself, never importable by a submission under grading.
KIT_MODULES = ("reference", "conformance")


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
    #: Run the worker as this (unprivileged) user; the grader must be root.
    user: str | None = None


class Output:
    """Drains the worker's stdout and stderr (one pipe) so it never blocks; keeps the start."""

    def __init__(self, fd: int):
        self.kept = bytearray()
        self.total = 0
        self.thread = threading.Thread(target=self._drain, args=(fd,), daemon=True)
        self.thread.start()

    def _drain(self, fd: int) -> None:
        try:
            while chunk := os.read(fd, 1 << 16):
                self.total += len(chunk)
                if len(self.kept) < OUTPUT_KEPT:
                    self.kept += chunk[: OUTPUT_KEPT - len(self.kept)]
        except OSError:
            pass
        finally:
            os.close(fd)

    def text(self) -> str:
        return self.kept.decode("utf-8", "replace")


def _become_subreaper() -> None:
    """Orphans of the submission (a double fork, setsid) are re-parented to the grader,
    where they can be found and killed, instead of to init."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
        except (OSError, AttributeError):
            pass


def _proc_stat(pid: int) -> tuple[str, int, int] | None:
    """(state, ppid, session id) of a process, from /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[3])


def kill_strays(sessions: set[int]) -> int:
    """SIGKILL every process in the given sessions, and every child of the grader that left
    the grader's own session (a submission's orphan); reap what is ours. Returns how many."""
    if not Path("/proc").is_dir():
        return 0
    me, my_session = os.getpid(), os.getsid(0)
    killed = 0
    for _ in range(100):  # a forking process can outpace one sweep
        found = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == me:
                continue
            pid = int(entry)
            stat = _proc_stat(pid)
            if stat is None:
                continue
            state, ppid, sid = stat
            ours = ppid == me and sid != my_session
            if sid in sessions or ours:
                if state != "Z":
                    found += 1
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                if ppid == me:
                    try:
                        os.waitpid(pid, os.WNOHANG)
                    except ChildProcessError:
                        pass
        killed += found
        if not found:
            break
        time.sleep(0.01)
    return killed


def _describe_exit(code: int | None) -> str:
    if code is None:
        return "was stopped"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        if -code == signal.SIGKILL:
            return f"was killed ({name}: often the memory limit, or the grader's time limit)"
        return f"was killed by {name}"
    return f"exited with code {code}"


class Worker:
    """One worker process and its channel."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.dead: str | None = None
        self.forbidden: list[dict[str, str]] = []
        self.cwd = tempfile.TemporaryDirectory(prefix="bp-worker-")
        user_args: dict[str, Any] = {}
        if settings.user:
            import pwd

            entry = pwd.getpwnam(settings.user)
            os.chown(self.cwd.name, entry.pw_uid, entry.pw_gid)
            user_args = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        out_r, out_w = os.pipe()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.cwd.name,
            "LANG": "C.UTF-8",
            "TMPDIR": self.cwd.name,
        }
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(settings.threads)
        self.proc = subprocess.Popen(
            # The last argument only labels the process for people reading `ps`.
            [
                sys.executable,
                "-I",
                str(WORKER),
                str(req_r),
                str(rep_w),
                f"grader={os.getpid()} impl={settings.path or settings.module}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=out_w,
            stderr=out_w,
            pass_fds=(req_r, rep_w),
            start_new_session=True,
            cwd=self.cwd.name,
            env=env,
            **user_args,
        )
        for fd in (req_r, rep_w, out_w):
            os.close(fd)
        self.output = Output(out_r)
        self.endpoint = wire.Endpoint("g", self._make_proxy, self._make_list)
        self.channel = wire.Channel(self.endpoint, rep_r, req_w, self._serve, tracebacks=False)
        self.channel.timeout = settings.call_timeout
        self.channel.on_header = self._on_header
        self._fds = (rep_r, req_w)

    def _on_header(self, header: dict[str, Any]) -> None:
        for item in header.get("fb") or []:
            if isinstance(item, dict):
                self.forbidden.append({k: str(v)[:300] for k, v in item.items()})

    # -- the worker's requests: only calls of the grader's own callables ----------------------
    def _serve(self, header: dict[str, Any], blobs: list[bytes]) -> Any:
        if header.get("op") != "call":
            raise PermissionError("the grader only runs the functions it passed to the submission")
        target = self.endpoint.decode(header.get("target"), blobs)
        if not callable(target) or isinstance(target, wire.Proxy):
            raise PermissionError("not a function the grader passed")
        args = self.endpoint.decode(header.get("args"), blobs) or ()
        kwargs = self.endpoint.decode(header.get("kwargs"), blobs) or {}
        if not isinstance(args, tuple) or not isinstance(kwargs, dict):
            raise TypeError("malformed call")
        return target(*args, **kwargs)

    def _make_proxy(
        self, owner: str, n: int, type_name: str, is_callable: bool, methods: frozenset[str]
    ) -> Any:
        cls = _proxy_class(type_name, is_callable)
        proxy = cls.__new__(cls)
        object.__setattr__(proxy, "_bp_handle", (owner, n))
        object.__setattr__(proxy, "_bp_worker", self)
        object.__setattr__(proxy, "_bp_methods", methods)
        weakref.finalize(proxy, self.endpoint.forget_proxy, owner, n)
        return proxy

    def _make_list(self, key: tuple[str, int], items: list[Any]) -> RemoteList:
        mirror = RemoteList(items)
        mirror.handle = key
        mirror.worker = self
        weakref.finalize(mirror, self.endpoint.forget_proxy, *key)
        return mirror

    # -- requests -------------------------------------------------------------------------------
    def request(self, op: str, what: str, **body: Any) -> Any:
        """Send one request; map every way it can fail to a SubmissionError for the student."""
        if self.dead:
            raise SubmissionDied(self.dead)
        try:
            return self.channel.request(op, **body)
        except wire.RemoteError as err:
            info = err.info
            type_name = info.get("type", "Exception")
            tb = info.get("tb", "")
            raise raised_class(type_name)(
                f"{what} raised {type_name}: {info.get('msg', '')}", type_name, tb
            ) from None
        except wire.Deadline:
            self.kill(
                f"{what} did not return within {self.settings.call_timeout:g} s, so the "
                "submission's process was stopped"
            )
            raise SubmissionDied(self.dead) from None
        except wire.PeerGone:
            code = self._wait_exit()
            self.kill(f"the submission's process {_describe_exit(code)} during {what}")
            raise SubmissionDied(self.dead) from None
        except wire.WireError as err:
            self.kill(f"the submission's process sent an invalid reply during {what} ({err})")
            raise SubmissionDied(self.dead) from None
        except BaseException:
            # The grader was interrupted mid-call (its own time limit): the worker's state
            # is unknown, so it goes.
            self.kill(f"{what} was interrupted by the grader's time limit")
            raise

    def _wait_exit(self) -> int | None:
        try:
            return self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def kill(self, reason: str) -> None:
        if self.dead:
            return
        self.dead = reason
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        self._wait_exit()
        kill_strays({self.proc.pid})
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                pass
        self.output.thread.join(timeout=2)
        self.cwd.cleanup()

    def close(self) -> None:
        if not self.dead:
            try:
                wire.write_frame(self._fds[1], {"k": "req", "op": "exit"}, [])
                self.proc.wait(timeout=1)
            except (wire.WireError, OSError, subprocess.TimeoutExpired):
                pass
        self.kill("closed")


class RemoteList(wire.ListMirror):
    """A list the submission owns (``net.weights``): changes are applied here and there."""

    worker: Worker

    def _forward(self, method: str, *args: Any) -> None:
        self.worker.request("listop", f"list.{method}", target=self, name=method, args=args)

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            value = list(value)
            list.__setitem__(self, index, value)
            self._forward("__setslice__", (index.start, index.stop, index.step), value)
        else:
            list.__setitem__(self, index, value)
            self._forward("__setitem__", index, value)

    def extend(self, values: Any) -> None:
        values = list(values)  # an iterator is read once, for both sides
        list.extend(self, values)
        self._forward("extend", values)

    def __iadd__(self, values: Any) -> RemoteList:
        self.extend(values)
        return self


def _forwarding(method: str) -> Any:
    def apply(self: RemoteList, *args: Any) -> Any:
        result = getattr(list, method)(self, *args)
        self._forward(method, *args)
        return result

    apply.__name__ = method
    return apply


# The other mutations the worker accepts (wire.LIST_METHODS), applied here and there alike.
for _method in ("__delitem__", "append", "insert", "pop", "remove", "clear", "reverse", "sort"):
    setattr(RemoteList, _method, _forwarding(_method))


class RemoteObject(wire.Proxy):
    """Something of the submission that is not plain data: attribute reads and writes and
    calls go to the worker. Dunder lookups are answered locally (never the submission's)."""

    __slots__ = ("__weakref__", "_bp_handle", "_bp_methods", "_bp_worker")
    _bp_type = "object"

    def _bp_live(self) -> Worker:
        worker = object.__getattribute__(self, "_bp_worker")
        if worker.dead:
            raise SubmissionDied(
                f"this {self._bp_type} was lost when the submission's process ended: {worker.dead}"
            )
        return worker

    def __getattr__(self, name: str) -> Any:
        if (name.startswith("__") and name.endswith("__")) or name.startswith("_bp_"):
            raise AttributeError(name)
        worker = self._bp_live()
        if name in object.__getattribute__(self, "_bp_methods"):
            return RemoteMethod(self, name)
        return worker.request("getattr", f"{self._bp_type}.{name}", target=self, name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._bp_live().request(
            "setattr", f"setting {self._bp_type}.{name}", target=self, name=name, value=value
        )

    def __repr__(self) -> str:
        return f"<{self._bp_type} of the submission>"

    @property
    def __signature__(self) -> inspect.Signature:
        params = self._bp_live().request("signature", f"signature of {self._bp_type}", target=self)
        try:
            return inspect.Signature(
                [
                    inspect.Parameter(
                        str(name),
                        inspect._ParameterKind(kind),
                        default=default if has_default else inspect.Parameter.empty,
                    )
                    for name, kind, has_default, default in params
                ]
            )
        except (TypeError, ValueError) as err:
            raise ValueError(f"the submission reported an invalid signature: {err}") from None


class RemoteMethod:
    """``obj.name`` where name is a function of obj's class (or module): calling it is one
    round trip that looks the name up and calls it in the worker."""

    __slots__ = ("name", "owner")

    def __init__(self, owner: RemoteObject, name: str):
        self.owner, self.name = owner, name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        owner = self.owner
        what = f"{owner._bp_type}.{self.name}" if owner._bp_type != "module" else self.name
        return owner._bp_live().request(
            "callattr", what, target=owner, name=self.name, args=args, kwargs=kwargs
        )

    def _bp_resolve(self) -> Any:
        owner = self.owner
        return owner._bp_live().request(
            "getattr", f"{owner._bp_type}.{self.name}", target=owner, name=self.name
        )

    @property
    def __signature__(self) -> inspect.Signature:
        return self._bp_resolve().__signature__

    def __repr__(self) -> str:
        return f"<{self.owner._bp_type}.{self.name} of the submission>"


class RemoteCallable(RemoteObject):
    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._bp_live().request("call", self._bp_type, target=self, args=args, kwargs=kwargs)


_proxy_classes: dict[tuple[str, bool], type] = {}


def _proxy_class(type_name: str, is_callable: bool) -> type:
    """A proxy class named like the submission's type, so messages say ``Tensor``, not
    ``RemoteObject``."""
    key = (type_name, is_callable)
    if key not in _proxy_classes:
        base = RemoteCallable if is_callable else RemoteObject
        label = type_name if all(p.isidentifier() for p in type_name.split(".")) else "object"
        _proxy_classes[key] = type(
            label.rsplit(".", 1)[-1], (base,), {"__slots__": (), "_bp_type": label}
        )
    return _proxy_classes[key]


class Remote:
    """The submission as seen from the grader: a worker started on demand (and again after
    it dies), and its module."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.worker: Worker | None = None
        self.restarts = 0
        self.deaths: list[str] = []
        self.forbidden: list[dict[str, str]] = []
        self.output_total = 0
        self.output_text = ""
        self._module: Any = None
        self.given_up: str | None = None
        _become_subreaper()

    def start(self) -> Any:
        """A live worker's module proxy; the first start raises SubmissionError if the
        submission does not import."""
        if self.worker is not None and not self.worker.dead:
            return self._module
        if self.given_up:
            raise SubmissionDied(self.given_up)
        if self.worker is not None:
            self._retire(self.worker)
            self.restarts += 1
            if self.restarts > MAX_RESTARTS:
                self.given_up = (
                    f"the submission's process ended {MAX_RESTARTS} times, so no further calls "
                    f"are made (last: {self.deaths[-1] if self.deaths else '?'})"
                )
                raise SubmissionDied(self.given_up)
        s = self.settings
        try:
            worker = Worker(s)
        except OSError as err:  # the grader's set-up, not the submission's fault
            self.given_up = (
                f"the grader could not start its worker process ({err}); with --worker-user, "
                "Python and the kit must be readable by that user"
            )
            raise SubmissionDied(self.given_up) from None
        self.worker = worker
        config = {
            "path": s.path,
            "module": s.module,
            "sys_path": s.sys_path,
            "forbid": s.forbid,
            "memory_bytes": s.memory_mb << 20,
            "file_bytes": s.file_mb << 20,
        }
        what = "importing the submission"
        self._module = worker.request("load", what, target=None, config=config)
        return self._module

    def _retire(self, worker: Worker) -> None:
        if worker.dead and worker.dead != "closed":
            self.deaths.append(worker.dead)
        self.forbidden += worker.forbidden
        worker.forbidden = []
        self.output_total += worker.output.total
        if len(self.output_text) < OUTPUT_KEPT:
            self.output_text += worker.output.text()[: OUTPUT_KEPT - len(self.output_text)]

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self._retire(self.worker)
            self.worker = None
        kill_strays(set())

    def new_forbidden(self) -> list[dict[str, str]]:
        """The forbidden imports reported since the last call."""
        if self.worker is not None:
            self.forbidden += self.worker.forbidden
            self.worker.forbidden = []
        found, self.forbidden = self.forbidden, []
        return found


class RemoteModule:
    """``impl.module`` in grading mode: attribute reads go to the live worker's module."""

    def __init__(self, remote: Remote):
        self._remote = remote

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        module = self._remote.start()
        return getattr(module, name)

    def __repr__(self) -> str:
        return "<submission module in the grading worker>"
