"""Grading mode's isolation: the submission runs in a worker process, the checks in the grader.

The grader never imports the submission; process.py runs it in a worker process. This module
is the worker as the checks see it: ``Remote`` (a worker started on demand, and again after it
dies) and proxies: ``RemoteModule`` for the module, ``RemoteObject`` for anything that is not
plain data (a network, a bound method), and ``RemoteList`` for lists the submission owns
(``net.weights[i] = W`` reaches the worker). Arrays are copies kept in step with the worker's
memory after every call, so aliasing, in-place updates and views behave as they would in one
process. A worker that hangs, crashes or breaks the protocol is killed with every process it
started, and the next call starts a new one (up to ``MAX_RESTARTS``).
"""

from __future__ import annotations

import inspect
import time
import weakref
from typing import Any

from conformance.sandbox import wire
from conformance.sandbox.calls import CallHistory
from conformance.sandbox.errors import SubmissionDied, SubmissionError
from conformance.sandbox.isolation import Plan, SandboxUnavailable, plan
from conformance.sandbox.process import (
    KIT_MODULES,
    OUTPUT_KEPT,
    WORKER,
    Settings,
    Worker,
    become_subreaper,
    kill_strays,
)
from conformance.sandbox.wire import protocol as proto

# Imported from here by the plugin and the implementation loader.
__all__ = [
    "KIT_MODULES",
    "MAX_RESTARTS",
    "Remote",
    "RemoteModule",
    "SandboxUnavailable",
    "Settings",
    "SubmissionError",
]

#: More than the suite's number of checks: a submission that dies in every check still gets
#: every check run (each fails at its first call), so dying never costs honest points.
MAX_RESTARTS = 250


class RemoteList(wire.ListMirror):
    """A list the submission owns (``net.weights``): changes are applied here and there."""

    worker: Worker

    def _forward(self, method: str, *args: Any) -> None:
        self.worker.request(
            proto.LISTOP,
            f"list.{method}",
            {proto.TARGET: self, proto.NAME: method, proto.ARGS: args},
        )

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(index, slice):
            value = list(value)
            list.__setitem__(self, index, value)
            self._forward(proto.SETSLICE, (index.start, index.stop, index.step), value)
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


# The other mutations the worker accepts (proto.LIST_METHODS), applied here and there alike.
for _method in ("__delitem__", "append", "insert", "pop", "remove", "clear", "reverse", "sort"):
    setattr(RemoteList, _method, _forwarding(_method))


class RemoteObject(wire.Proxy):
    """Something of the submission that is not plain data: attribute reads and writes and
    calls go to the worker. Dunder lookups are answered locally (never the submission's)."""

    __slots__ = ("__weakref__", "_bp_handle", "_bp_key", "_bp_methods", "_bp_worker")
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
        value = worker.request(
            proto.GETATTR, f"{self._bp_type}.{name}", {proto.TARGET: self, proto.NAME: name}
        )
        if isinstance(value, RemoteCallable):
            # Its calls are known by the name it was read as (a ufunc's type name is shared).
            key = name if self._bp_type == "module" else f"{self._bp_type}.{name}"
            object.__setattr__(value, "_bp_key", key)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        self._bp_live().request(
            proto.SETATTR,
            f"setting {self._bp_type}.{name}",
            {proto.TARGET: self, proto.NAME: name, proto.VALUE: value},
        )

    def __repr__(self) -> str:
        return f"<{self._bp_type} of the submission>"

    @property
    def __signature__(self) -> inspect.Signature:
        params = self._bp_live().request(
            proto.SIGNATURE, f"signature of {self._bp_type}", {proto.TARGET: self}
        )
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
            proto.CALLATTR,
            what,
            {proto.TARGET: owner, proto.NAME: self.name, proto.ARGS: args, proto.KWARGS: kwargs},
            key=what,
        )

    def _bp_resolve(self) -> Any:
        owner = self.owner
        return owner._bp_live().request(
            proto.GETATTR,
            f"{owner._bp_type}.{self.name}",
            {proto.TARGET: owner, proto.NAME: self.name},
        )

    @property
    def __signature__(self) -> inspect.Signature:
        return self._bp_resolve().__signature__

    def __repr__(self) -> str:
        return f"<{self.owner._bp_type}.{self.name} of the submission>"


class RemoteCallable(RemoteObject):
    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._bp_live().request(
            proto.CALL,
            self._bp_type,
            {proto.TARGET: self, proto.ARGS: args, proto.KWARGS: kwargs},
            key=object.__getattribute__(self, "_bp_key"),
        )


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


# Stand-ins for the worker's objects, made by the grader's Endpoint as their handles arrive.
def _make_proxy(
    worker: Worker, owner: str, n: int, type_name: str, is_callable: bool, methods: frozenset[str]
) -> Any:
    """The proxy of object ``n`` of the worker; its handle is released when it dies."""
    cls = _proxy_class(type_name, is_callable)
    proxy = cls.__new__(cls)
    object.__setattr__(proxy, "_bp_handle", (owner, n))
    object.__setattr__(proxy, "_bp_worker", worker)
    object.__setattr__(proxy, "_bp_methods", methods)
    object.__setattr__(proxy, "_bp_key", None)
    weakref.finalize(proxy, worker.endpoint.forget_proxy, owner, n)
    return proxy


def _make_list(worker: Worker, key: tuple[str, int], items: list[Any]) -> RemoteList:
    """The mirror of a list the worker owns, holding the decoded ``items``."""
    mirror = RemoteList(items)
    mirror.handle = key
    mirror.worker = worker
    weakref.finalize(mirror, worker.endpoint.forget_proxy, *key)
    return mirror


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
        #: Files of the submission's folder its private copy left out, and why.
        self.left_out: list[str] = []
        self._module: Any = None
        self.given_up: str | None = None
        #: How workers are isolated: decided at the first start, before the submission runs.
        self.plan: Plan | None = None
        #: Which calls returned and which hung, across this submission's workers.
        self.history = CallHistory()
        become_subreaper()

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
        if s.deadline is not None and time.monotonic() >= s.deadline:
            raise SubmissionDied(f"not run: {s.budget} was spent")
        if self.plan is None:
            self.plan = plan(s, WORKER)  # SandboxUnavailable: --sandbox=required, --worker-user
        try:
            worker = Worker(s, _make_proxy, _make_list, self.plan, self.history)
        except OSError as err:  # the grader's set-up, not the submission's fault
            self.given_up = (
                f"the grader could not start its worker process ({err}); with --worker-user, "
                "Python and the kit must be readable by that user"
            )
            raise SubmissionDied(self.given_up) from None
        self.worker = worker
        for copy in worker.copies:
            self.left_out += [item for item in copy.left_out if item not in self.left_out]
        config = {
            proto.CONFIG_PATH: worker.config_path,
            proto.CONFIG_MODULE: s.module,
            proto.CONFIG_SYS_PATH: worker.config_sys_path,
            # The uid the worker drops to (a root grader's sandbox), and its process bound
            # (only where the uid is the worker's alone).
            proto.CONFIG_UID: self.plan.uid if self.plan.sandboxed else None,
            proto.CONFIG_PROCESSES: s.processes if self._bounded() else 0,
            proto.CONFIG_FORBID: s.forbid,
            proto.CONFIG_MEMORY: s.memory_mb << 20,
            proto.CONFIG_FILES: s.file_mb << 20,
            proto.CONFIG_ADAPTER: worker.config_adapter,
        }
        what = "importing the submission"
        self._module = worker.request(
            proto.LOAD, what, {proto.TARGET: None, proto.CONFIG: config}, key=what
        )
        return self._module

    def _bounded(self) -> bool:
        p = self.plan
        return p is not None and (
            (p.sandboxed and (p.uid is None or p.dedicated))
            or (not p.sandboxed and p.uid is not None and p.dedicated)
        )

    def module_attribute(self, name: str) -> Any:
        """An attribute of the submission's module, a dunder too (the module proxy hides those
        from the checks)."""
        module = self.start()
        return self.worker.request(  # type: ignore[union-attr]
            proto.GETATTR, f"reading {name}", {proto.TARGET: module, proto.NAME: name}
        )

    def _retire(self, worker: Worker) -> None:
        if worker.dead and worker.dead != "closed":
            self.deaths.append(worker.dead)
        self.forbidden += worker.forbidden
        worker.forbidden = []
        self.output_total += worker.output.total + worker.dropped
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
