"""The worker process from the grader's side: starting it, talking to it, and killing it with
every process it started.

``Worker`` spawns ``worker.py`` (a fresh interpreter, new session, memory and file-size
limits, forbidden imports refused) and talks to it through ``wire`` frames. Each wait for it
is bounded by the call time limit; ``Worker.request`` turns every way a request can fail
(the submission raised, hung, crashed, broke the protocol) into the error the checks see. How
the worker's objects look to the checks is remote.py's business: it hands its proxy makers in.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from conformance.sandbox import namespaces, private, wire
from conformance.sandbox.calls import CallHistory, pipe
from conformance.sandbox.errors import SubmissionDied, raised_class
from conformance.sandbox.isolation import Plan, kill_uid
from conformance.sandbox.settings import Settings
from conformance.sandbox.wire import protocol as proto

WORKER = Path(__file__).with_name("worker.py")
#: Output of the submission kept for the student (the rest is counted and dropped).
OUTPUT_KEPT = 16 * 1024
#: The kit itself, never importable by a submission under grading.
KIT_MODULES = ("reference", "conformance")


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


def become_subreaper() -> None:
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


def describe_exit(code: int | None) -> str:
    """How the worker ended, for the student: ``code`` is its return code (None: unknown)."""
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


def _kit_paths() -> list[str]:
    """The kit's packages on disk: never shown to a submission unless allowed."""
    import importlib.util

    found = []
    for name in KIT_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            found += [str(Path(p).resolve()) for p in spec.submodule_search_locations]
    return found


class Worker:
    """One worker process and its channel. ``make_proxy`` (this worker, owner, number, type
    name, callable, method names) and ``make_list`` (this worker, handle, items) make the
    stand-ins for the worker's objects and lists."""

    def __init__(
        self,
        settings: Settings,
        make_proxy: Any,
        make_list: Any,
        plan: Plan,
        history: CallHistory | None = None,
    ):
        self.settings = settings
        self.plan = plan
        self.history = history or CallHistory()
        #: Output the worker says it dropped (its own count: reported, never judged).
        self.dropped = 0
        self.dead: str | None = None
        self.forbidden: list[dict[str, str]] = []
        self.cwd = tempfile.TemporaryDirectory(prefix="bp-worker-")
        root = Path(self.cwd.name)
        uid = plan.uid
        self.copies = self._copy_submission(root / "submission")
        work = root / "work"
        work.mkdir()
        private.hand_over(root, uid)
        adapter = private.copy_adapter(settings.adapter, root)
        seen = adapter
        if adapter is not None and plan.sandboxed:
            seen = f"{namespaces.WORKER_ROOT}/instructor/{adapter.name}"
        #: The adapter the worker loads: a shipped one's name, or where it sees its copy.
        self.config_adapter = settings.adapter if seen is None else str(seen)
        self.config_path, self.config_sys_path = self._where_seen()
        user_args: dict[str, Any] = {}
        if uid is not None and not plan.sandboxed:
            user_args = {"user": uid, "group": uid, "extra_groups": []}
        req_r, req_w = pipe()
        rep_r, rep_w = pipe()
        out_r, out_w = pipe()
        home = "/tmp" if plan.sandboxed else str(work)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "LANG": "C.UTF-8",
            "TMPDIR": home,
            "MPLCONFIGDIR": home,
        }
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(settings.threads)
        worker_py = f"{namespaces.WORKER_ROOT}/sandbox/worker.py" if plan.sandboxed else str(WORKER)
        # The last argument only labels the process for people reading `ps`.
        argv = [
            namespaces.PYTHON,
            "-I",
            worker_py,
            str(req_r),
            str(rep_w),
            f"grader={os.getpid()} impl={settings.path or settings.module}",
        ]
        if plan.sandboxed:
            box = namespaces.Sandbox(
                hidden=set(settings.forbid),
                allowed_kit=plan.kit_folders,
                submission=[(c.copy, c.source) for c in self.copies],
                tmp_mb=settings.tmp_mb,
                as_root=os.geteuid() == 0,
                adapter=(adapter, str(seen)) if adapter else None,
            )
            argv = namespaces.command(box, WORKER, argv)
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out_w,
            stderr=out_w,
            pass_fds=(req_r, rep_w),
            start_new_session=True,
            cwd=home if not plan.sandboxed else str(root),
            env=env,
            **user_args,
        )
        for fd in (req_r, rep_w, out_w):
            os.close(fd)
        self.output = Output(out_r)
        self.endpoint = wire.Endpoint(
            proto.GRADER,
            lambda *handle: make_proxy(self, *handle),
            lambda key, items: make_list(self, key, items),
        )
        self.channel = wire.Channel(self.endpoint, rep_r, req_w, self._serve, tracebacks=False)
        self.channel.timeout = settings.call_timeout
        self.channel.deadline = settings.deadline
        self.channel.on_header = self._on_header
        self._fds = (rep_r, req_w)

    def _copy_submission(self, dest: Path) -> list[private.Copy]:
        """Copy each folder of the submission's sys.path (its own folder, or the invocation
        folder of a module) into the private folder."""
        s = self.settings
        # The kit installed into a virtual environment in the submission's folder is not the
        # kit's source in that folder: the copy leaves that environment out anyway.
        sites = namespaces.site_dirs()
        kit = [Path(p) for p in _kit_paths() if not any(d in Path(p).parents for d in sites)]
        hidden = [Path(p).resolve() for p in s.private]
        only = Path(s.path) if s.path else None
        copies = []
        for n, entry in enumerate(s.sys_path):
            source = Path(entry)
            if source.is_dir():
                copies.append(private.copy_folder(source, dest / str(n), only, hidden, kit))
        return copies

    def _where_seen(self) -> tuple[str | None, list[str]]:
        """The submission's path and sys.path as the worker sees them: the original paths in
        the sandbox (the copies are mounted there), the copies' paths without it."""
        s = self.settings
        if self.plan.sandboxed:
            return s.path, [*s.sys_path, *self.plan.kit_path]
        path = s.path
        for c in self.copies:
            if path and Path(path).parent == c.source:
                path = str(c.copy / Path(path).name)
        return path, [str(c.copy) for c in self.copies] + self.plan.kit_path

    def _on_header(self, header: dict[str, Any]) -> None:
        dropped = header.get(proto.DROPPED)
        if type(dropped) is int and dropped > self.dropped:
            self.dropped = dropped
        for item in header.get(proto.FORBIDDEN) or []:
            if isinstance(item, dict):
                self.forbidden.append({k: str(v)[:300] for k, v in item.items()})

    # -- the worker's requests: only calls of the grader's own callables ----------------------
    def _serve(self, header: dict[str, Any], blobs: list[bytes]) -> Any:
        if header.get(proto.OP) != proto.CALL:
            raise PermissionError("the grader only runs the functions it passed to the submission")
        target = self.endpoint.decode(header.get(proto.TARGET), blobs)
        if not callable(target) or isinstance(target, wire.Proxy):
            raise PermissionError("not a function the grader passed")
        args = self.endpoint.decode(header.get(proto.ARGS), blobs) or ()
        kwargs = self.endpoint.decode(header.get(proto.KWARGS), blobs) or {}
        if not isinstance(args, tuple) or not isinstance(kwargs, dict):
            raise TypeError("malformed call")
        return target(*args, **kwargs)

    # -- requests -------------------------------------------------------------------------------
    def request(
        self, op: str, what: str, body: dict[str, Any], ticks: int = 0, key: str | None = None
    ) -> Any:
        """Send request ``op`` (body: field → value); map every way it can fail to a
        SubmissionError for the student, who reads ``what`` as the call that failed. A loop's
        request allows ``ticks`` progress notes, each of which restarts the call time limit.
        No call runs past the grading budget's deadline, and a call of the submission's code
        named ``key`` (a function, a method, a loop's methods) that hung before and never
        returned is not made (CallHistory); reading an attribute or a signature always is."""
        if self.dead:
            raise SubmissionDied(self.dead)
        s, history = self.settings, self.history
        if (why := history.refused(key)) is not None:
            raise SubmissionDied(f"{what} was not called: {why}")
        if s.deadline is not None and time.monotonic() >= s.deadline:
            raise SubmissionDied(f"not run: {s.budget} was spent before {what}")
        # A request made while serving the worker's callback inside another request restores
        # the outer one's allowance when it ends.
        outer = (self.channel.ticks_left, self.channel.timeout)
        self.channel.ticks_left = ticks
        self.channel.timeout = s.call_timeout + (proto.TICK_INTERVAL if ticks else 0)
        try:
            value = self.channel.request(op, body)
            history.returned_from(key)
            return value
        except wire.RemoteError as err:
            history.returned_from(key)
            info = err.info
            type_name = info.get(proto.ERR_TYPE, "Exception")
            tb = info.get(proto.ERR_TB, "")
            raise raised_class(type_name)(
                f"{what} raised {type_name}: {info.get(proto.ERR_MSG, '')}", type_name, tb
            ) from None
        except wire.Deadline:
            if s.deadline is not None and time.monotonic() >= s.deadline - proto.TICK_INTERVAL:
                self.kill(
                    f"{s.budget} was spent during {what}, so the submission's process was stopped"
                )
                raise SubmissionDied(self.dead) from None
            if self.channel.ticks_left < ticks:
                history.returned_from(key)  # the loop's calls returned before one hung
            history.hung_in(
                key,
                f"it did not return within {s.call_timeout:g} s earlier in this run, and has "
                "not returned since",
            )
            self.kill(
                f"{what} did not return within {s.call_timeout:g} s, so the submission's "
                "process was stopped"
            )
            raise SubmissionDied(self.dead) from None
        except wire.PeerGone:
            code = self._wait_exit()
            self.output.thread.join(timeout=2)
            said = self.output.text().strip()
            if said.startswith("bwrap: "):  # the sandbox failed before the submission ran
                self.kill(f"the sandbox could not start the submission's process ({said[:300]})")
            else:
                self.kill(f"the submission's process {describe_exit(code)} during {what}")
            raise SubmissionDied(self.dead) from None
        except wire.WireError as err:
            self.kill(f"the submission's process sent an invalid reply during {what} ({err})")
            raise SubmissionDied(self.dead) from None
        except BaseException:
            # The grader was interrupted mid-call (its own time limit): the worker's state
            # is unknown, so it goes.
            self.kill(f"{what} was interrupted by the grader's time limit")
            raise
        finally:
            self.channel.ticks_left, self.channel.timeout = outer

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
        if self.plan.uid is not None and self.plan.dedicated:
            kill_uid(self.plan.uid)
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
                wire.write_frame(self._fds[1], {proto.KIND: proto.REQ, proto.OP: proto.EXIT}, [])
                self.proc.wait(timeout=1)
            except (wire.WireError, OSError, subprocess.TimeoutExpired):
                pass
        self.kill("closed")
