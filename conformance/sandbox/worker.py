"""The worker process of grading mode: it imports the submission and runs its calls.

Started by the grader as ``python -I <this file> FD_IN FD_OUT`` in a new session, never
imported by it. It loads only the standard library, NumPy and ``_wire.py`` (by path, so that
neither the kit nor its reference is importable through it), then serves requests until
told to exit or until the grader's end of the pipe closes.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import signal
import sys
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


def _load_wire() -> Any:
    spec = importlib.util.spec_from_file_location("_bp_wire", _HERE / "wire" / "codec.py")
    wire = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["_bp_wire"] = wire
    spec.loader.exec_module(wire)  # type: ignore[union-attr]
    return wire


wire = _load_wire()


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
            self.attempts.append({"module": top, "where": where})

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


def _limit(memory_bytes: int, file_bytes: int) -> None:
    import resource

    for what, value in (
        (resource.RLIMIT_AS, memory_bytes),
        (resource.RLIMIT_FSIZE, file_bytes),
        (resource.RLIMIT_CORE, 0),
    ):
        if value > 0 or what == resource.RLIMIT_CORE:
            resource.setrlimit(what, (value, value))
    # Writing past the file limit fails with an error instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _import_submission(config: dict[str, Any]) -> Any:
    path, module = config.get("path"), config.get("module")
    for entry in reversed(config.get("sys_path") or []):
        sys.path.insert(0, entry)
    if path:
        p = Path(path)
        # Named as conformance.core.implementation names it in-process (this file cannot import the kit).
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
        self.endpoint = wire.Endpoint("w", self.make_proxy, self.make_list)
        self.channel = wire.Channel(self.endpoint, fd_in, fd_out, self.serve, tracebacks=True)
        self.forbidden = Forbidden(set())
        self.channel.extra_header = lambda: {"fb": self.forbidden.drain()}

    # The grader's callables reach the worker as proxies that call back.
    def make_proxy(
        self, owner: str, n: int, type_name: str, is_callable: bool, methods: Any = ()
    ) -> Any:
        channel = self.channel

        class Callback(wire.Proxy):
            __slots__ = ("__weakref__", "_bp_handle")

            def __call__(self, *args: Any, **kwargs: Any) -> Any:
                try:
                    return channel.request("call", target=self, args=args, kwargs=kwargs)
                except wire.RemoteError as err:
                    raise RuntimeError(
                        f"the grader's function raised {err.info.get('type')}"
                    ) from None

            def __repr__(self) -> str:
                return f"<function {type_name}>"

        proxy = Callback()
        proxy._bp_handle = (owner, n)
        return proxy

    def make_list(self, key: Any, items: list[Any]) -> list[Any]:
        return items  # the grader sends plain lists

    def serve(self, header: dict[str, Any], blobs: list[bytes]) -> Any:
        op = header.get("op")
        decode = self.endpoint.decode

        if op == "load":
            config = decode(header.get("config"), blobs)
            self.forbidden.names = set(config.get("forbid") or [])
            sys.meta_path.insert(0, self.forbidden)
            _limit(int(config.get("memory_bytes") or 0), int(config.get("file_bytes") or 0))
            try:
                return _import_submission(config)
            finally:
                self.forbidden.sweep()
        target = decode(header.get("target"), blobs)
        if op == "call":
            args = decode(header.get("args"), blobs) or ()
            kwargs = decode(header.get("kwargs"), blobs) or {}
            return target(*args, **kwargs)
        if op == "callattr":
            args = decode(header.get("args"), blobs) or ()
            kwargs = decode(header.get("kwargs"), blobs) or {}
            return getattr(target, decode(header.get("name"), blobs))(*args, **kwargs)
        if op == "getattr":
            return getattr(target, decode(header.get("name"), blobs))
        if op == "setattr":
            setattr(target, decode(header.get("name"), blobs), decode(header.get("value"), blobs))
            return None
        if op == "listop":
            method = decode(header.get("name"), blobs)
            if not isinstance(target, list) or method not in wire.LIST_METHODS:
                raise TypeError("not a list operation")
            args = decode(header.get("args"), blobs) or ()
            if method == "__setslice__":
                target[slice(*args[0])] = args[1]
            else:
                getattr(target, method)(*args)
            return None
        if op == "signature":
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
        if op == "exit":
            os._exit(0)
        raise wire.WireError(f"unknown request {op!r}")


def main() -> None:
    fd_in, fd_out = int(sys.argv[1]), int(sys.argv[2])
    _die_with_parent()
    worker = Worker(fd_in, fd_out)
    try:
        while True:
            header, blobs = wire.read_frame(fd_in)
            worker.endpoint.unpack(header, blobs)
            try:
                if header.get("k") != "req":
                    raise wire.WireError("expected a request")
                worker.channel._serve_one(header, blobs)
            finally:
                worker.endpoint.after_unpack(header, blobs)
    except wire.PeerGone:
        os._exit(0)
    except wire.WireError as err:
        print(f"grading worker: protocol error: {err}", file=sys.stderr, flush=True)
        os._exit(3)
    os._exit(0)


if __name__ == "__main__":
    main()
