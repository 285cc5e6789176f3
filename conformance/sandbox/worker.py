"""The worker process of grading mode: it imports the submission and runs its calls.

Started by the grader (process.py) as ``python -I <this file> FD_IN FD_OUT`` in a new session.
It loads only the standard library, NumPy, the ``wire`` package, ``loops.py`` and the adapter
grading names (by path, under private names, so that neither the kit nor its reference is
importable through them), then serves requests until told to exit or the grader's pipe closes.
The grader imports this module too (its guard imports the whole kit): that loads nothing.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import io
import os
import signal
import sys
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
#: The private name the wire package is loaded under: a name under ``conformance`` would put
#: the kit in sys.modules, where the refused-import sweep finds it and a submission could use it.
WIRE_NAME = "_bp_wire"

#: The private name the kit's notebook package is loaded under (for a notebook submission).
NOTEBOOK_NAME = "_bp_notebook"
#: The private name of the loops that run here as one request each (loops.py).
LOOPS_NAME = "_bp_loops"
#: The private name the kit's shipped adapters are loaded under (--adapter in grading).
ADAPTERS_NAME = "_bp_adapters"
#: The private name of the instructor's adapter file (--adapter=FILE), loaded by its copy's path.
INSTRUCTOR_ADAPTER_NAME = "_bp_instructor_adapter"
#: The adapted namespace's attribute that holds the submission's own module.
ADAPTED_CODE = "ADAPTED_CODE"

#: The wire package, its protocol words and the loops, set by main() (so that importing this
#: module loads nothing).
wire: Any = None
proto: Any = None
loops: Any = None


def _load_package(name: str, folder: Path) -> Any:
    """A package of the kit loaded by the path of its __init__.py under a private name; its
    modules import each other relatively, so they load as submodules of ``name``."""
    init = folder / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        name, init, submodule_search_locations=[str(folder)]
    )
    package = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = package
    spec.loader.exec_module(package)  # type: ignore[union-attr]
    return package


def _load_module(name: str, path: Path) -> Any:
    """One file of the kit loaded by its path under a private name."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _load_notebook_reader() -> Any:
    """The kit's notebook reader (stdlib and nbformat only), nbformat imported before the
    refused-import finder is: reading is the grader's part of the load."""
    reader = _load_package(NOTEBOOK_NAME, _HERE.parent / "notebook")
    import nbformat  # noqa: F401

    return reader


def _load_adapter(name: Any) -> Any:
    """A shipped adapter (stdlib and NumPy only) by its name, or the instructor's adapter file
    by its path here (the grader's copy of it), loaded before the submission runs."""
    if not name or not isinstance(name, str):
        return None
    package = _load_package(ADAPTERS_NAME, _HERE.parent / "adapters")
    if name.endswith(".py"):
        return package.load_file(Path(name), INSTRUCTOR_ADAPTER_NAME)
    return importlib.import_module(f"{ADAPTERS_NAME}.{name}")


class Forbidden(importlib.abc.MetaPathFinder):
    """Refuses imports of the forbidden top-level packages and remembers who tried."""

    def __init__(self, names: set[str]):
        self.names = names
        self.attempts: list[dict[str, str]] = []
        self.reported: set[str] = set()
        self.seen = 0  # len(sys.modules) at the last sweep

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        top = fullname.partition(".")[0]
        if top not in self.names:
            return None
        self.note(top, _importer())
        raise ModuleNotFoundError(
            f"No module named {fullname!r}: {top} may not be used in this assignment",
            name=fullname,
        )

    def note(self, top: str, where: str) -> None:
        if top not in self.reported:
            self.reported.add(top)
            self.attempts.append({proto.NOTE_MODULE: top, proto.NOTE_WHERE: where})

    def sweep(self) -> None:
        """A forbidden package in sys.modules got past the finder (it was removed first)."""
        if len(sys.modules) == self.seen:
            return
        self.seen = len(sys.modules)
        for name in list(sys.modules):
            top = name.partition(".")[0]
            if top in self.names and top not in self.reported:
                self.note(top, "loaded although imports of it are refused")

    def drain(self) -> list[dict[str, str]]:
        self.sweep()
        out, self.attempts = self.attempts, []
        return out


def _importer() -> str:
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if "importlib" not in name and not name.startswith("<frozen") and name != __file__:
            return f"{name}:{frame.f_lineno}"
        frame = frame.f_back
    return "?"


def _limit(memory_bytes: int, file_bytes: int, processes: int) -> None:
    import resource

    for what, value in (
        (resource.RLIMIT_AS, memory_bytes),
        (resource.RLIMIT_FSIZE, file_bytes),
        (resource.RLIMIT_NPROC, processes),
        (resource.RLIMIT_CORE, 0),
    ):
        if value > 0 or what == resource.RLIMIT_CORE:
            resource.setrlimit(what, (value, value))
    # Writing past the file limit fails with an error instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _drop_to(uid: int | None) -> None:
    """In a root grader's sandbox: become the worker's own uid, no groups, no capabilities."""
    if uid is None or os.geteuid() != 0:
        return
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.geteuid() == 0:  # pragma: no cover - the calls above raise first
        os._exit(4)


def _flush() -> None:
    """What was printed reaches the grader (pipes are block-buffered; the worker os._exit()s)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # the submission replaced or closed it
            pass


class _Passed(io.RawIOBase):
    """fd 1 or 2 under sys.stdout or sys.stderr: the first ``limit`` bytes reach the grader's
    pipe, the rest is counted and dropped here (gigabytes of print() in a 5000-step loop took
    minutes of the grader's time, which keeps only the start; the fd itself is drained)."""

    def __init__(self, fd: int, limit: int, dropped: list[int], name: str):
        self.fd, self.left, self.dropped, self.name = fd, limit, dropped, name

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        n = len(view)
        passed = view[: max(self.left, 0)]
        while passed:
            written = os.write(self.fd, passed)
            passed = passed[written:]
        self.dropped[0] += max(n - max(self.left, 0), 0)
        self.left -= n
        return n


def _pass_output(dropped: list[int]) -> None:
    """sys.stdout and sys.stderr as they were, over _Passed."""
    for name, fd in (("stdout", 1), ("stderr", 2)):
        old = getattr(sys, name)
        raw = _Passed(fd, proto.OUTPUT_PASSED, dropped, getattr(old, "name", f"<{name}>"))
        stream = io.TextIOWrapper(
            io.BufferedWriter(raw),
            encoding=old.encoding,
            errors=old.errors,
            line_buffering=old.line_buffering,
        )
        stream.mode = getattr(old, "mode", "w")  # type: ignore[misc]
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _import_submission(config: dict[str, Any], reader: Any) -> Any:
    path, module = config.get(proto.CONFIG_PATH), config.get(proto.CONFIG_MODULE)
    for entry in reversed(config.get(proto.CONFIG_SYS_PATH) or []):
        sys.path.insert(0, entry)
    if reader is not None:  # the path is a notebook
        try:
            return reader.load_notebook(Path(path))
        except reader.NotebookError as err:
            raise ImportError(str(err)) from None
    if path:
        p = Path(path)
        # Named as conformance.core.implementation names it (this file cannot import it).
        name = "impl_under_test_" + "".join(c if c.isalnum() else "_" for c in p.stem)
        spec = importlib.util.spec_from_file_location(name, p)
        if spec is None or spec.loader is None:
            raise ImportError(f"{p} cannot be imported as a Python module")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
        return mod
    return importlib.import_module(module)


class Worker:
    def __init__(self, fd_in: int, fd_out: int):
        self.endpoint = wire.Endpoint(proto.WORKER, self.make_proxy, self.make_list)
        self.channel = wire.Channel(self.endpoint, fd_in, fd_out, self.serve, tracebacks=True)
        self.forbidden = Forbidden(set())
        self.dropped = [0]
        self.channel.extra_header = lambda: {
            proto.FORBIDDEN: self.forbidden.drain(),
            proto.DROPPED: self.dropped[0],
        }

    # The grader's callables reach the worker as proxies that call back.
    def make_proxy(
        self, owner: str, n: int, type_name: str, is_callable: bool, methods: Any = ()
    ) -> Any:
        channel = self.channel

        class Callback(wire.Proxy):
            __slots__ = ("__weakref__", "_bp_handle")

            def __call__(self, *args: Any, **kwargs: Any) -> Any:
                try:
                    return channel.request(
                        proto.CALL, {proto.TARGET: self, proto.ARGS: args, proto.KWARGS: kwargs}
                    )
                except wire.RemoteError as err:
                    raise RuntimeError(
                        f"the grader's function raised {err.info.get(proto.ERR_TYPE)}"
                    ) from None

            def __repr__(self) -> str:
                return f"<function {type_name}>"

        proxy = Callback()
        proxy._bp_handle = (owner, n)
        return proxy

    def make_list(self, key: Any, items: list[Any]) -> list[Any]:
        return items  # the grader sends plain lists

    def serve(self, header: dict[str, Any], blobs: list[bytes]) -> Any:
        op = header.get(proto.OP)

        def field(name: str) -> Any:
            return self.endpoint.decode(header.get(name), blobs)

        if op == proto.LOAD:
            config = field(proto.CONFIG)
            path = config.get(proto.CONFIG_PATH)
            reader = _load_notebook_reader() if path and path.endswith(".ipynb") else None
            self.forbidden.names = set(config.get(proto.CONFIG_FORBID) or [])
            sys.meta_path.insert(0, self.forbidden)
            _limit(
                int(config.get(proto.CONFIG_MEMORY) or 0),
                int(config.get(proto.CONFIG_FILES) or 0),
                int(config.get(proto.CONFIG_PROCESSES) or 0),
            )
            try:  # the instructor's adapter may need what is not here: the grader adapts
                adapter = _load_adapter(config.get(proto.CONFIG_ADAPTER))
            except Exception:
                adapter = None
            _drop_to(config.get(proto.CONFIG_UID))
            try:
                module = _import_submission(config, reader)
                if adapter is None:
                    return module
                # The contract built here, next to the code: a network's calls are one
                # request each, and its loops run here. What the grader judges (and what it
                # skips) it takes from its own copy of the adapter, never from this one; a
                # module this one cannot adapt, the grader's adapts (and says what it lacks).
                with contextlib.suppress(Exception):
                    adapted = adapter.adapt(module)
                    setattr(adapted, ADAPTED_CODE, module)
                    return adapted
                return module
            finally:
                self.forbidden.sweep()
                _flush()
        target = field(proto.TARGET)
        if op == proto.CALL:
            args = field(proto.ARGS) or ()
            kwargs = field(proto.KWARGS) or {}
            return target(*args, **kwargs)
        if op == proto.CALLATTR:
            args = field(proto.ARGS) or ()
            kwargs = field(proto.KWARGS) or {}
            return getattr(target, field(proto.NAME))(*args, **kwargs)
        if op == proto.GETATTR:
            return getattr(target, field(proto.NAME))
        if op == proto.SETATTR:
            setattr(target, field(proto.NAME), field(proto.VALUE))
            return None
        if op == proto.LISTOP:
            method = field(proto.NAME)
            if not isinstance(target, list) or method not in proto.LIST_METHODS:
                raise TypeError("not a list operation")
            args = field(proto.ARGS) or ()
            if method == proto.SETSLICE:
                target[slice(*args[0])] = args[1]
            else:
                getattr(target, method)(*args)
            return None
        if op == proto.LOOP:
            name = field(proto.NAME)
            if name not in loops.LOOPS:
                raise TypeError(f"no loop {name!r}")
            run, _ = loops.LOOPS[name]
            # The first call's tick always goes, so the grader knows that a call returned.
            self.channel.restart_ticks()
            values, failure = run(target, *(field(proto.ARGS) or ()), tick=self.channel.tick)
            if failure is None:
                return (tuple(values), None, None)
            err, call = failure
            return (tuple(values), wire.error_info(err, True), call)
        if op == proto.SIGNATURE:
            import inspect

            sig = inspect.signature(target)
            return [
                (
                    p.name,
                    int(p.kind),
                    p.default is not p.empty,
                    p.default if p.default is not p.empty else None,
                )
                for p in sig.parameters.values()
            ]
        if op == proto.EXIT:
            _flush()
            os._exit(0)
        raise wire.WireError(f"unknown request {op!r}")


def main() -> None:
    global wire, proto, loops
    wire = _load_package(WIRE_NAME, _HERE / "wire")
    proto = wire.protocol
    loops = _load_module(LOOPS_NAME, _HERE / "loops.py")
    fd_in, fd_out = int(sys.argv[1]), int(sys.argv[2])
    _die_with_parent()
    worker = Worker(fd_in, fd_out)
    _pass_output(worker.dropped)
    try:
        worker.channel.serve_forever()
    except wire.PeerGone:
        os._exit(0)
    except wire.WireError as err:
        print(f"grading worker: protocol error: {err}", file=sys.stderr, flush=True)
        os._exit(3)
    os._exit(0)


if __name__ == "__main__":
    main()
