"""Loops as requests: ``run_loop`` runs one of loops.py's loops where the submission runs (its
worker, in grading mode) and turns the reply into what an in-process run of the loop gives: the
values its calls returned and the exception of the call that raised, as a single call raises
it. The reply of a worker is checked before it is used: it may be hostile."""

from __future__ import annotations

import builtins
from typing import Any

from conformance.conventions.adapter import unwrap
from conformance.sandbox import loops
from conformance.sandbox.errors import SubmissionDied, raised_class
from conformance.sandbox.remote import RemoteObject
from conformance.sandbox.wire import protocol as proto


def run_loop(name: str, target: Any, *args: Any) -> tuple[list[Any], BaseException | None]:
    """``loops.LOOPS[name](target, *args)`` where the submission runs: in its worker, as one
    request, when ``target`` is one of its objects there; else here. Returns the values its
    calls returned, up to the first that raised, and that call's exception as a single call
    raises it (None if none did)."""
    run, calls_of = loops.LOOPS[name]
    target, adapted = unwrap(target)
    if adapted is not None:  # the implementation's conventions: the loop runs on its network
        args = adapted.loop_arguments(name, args)
    values, failure = _run(name, run, calls_of, target, *args)
    return (values if adapted is None else adapted.loop_values(name, values)), failure


def _run(
    name: str, run: Any, calls_of: Any, target: Any, *args: Any
) -> tuple[list[Any], BaseException | None]:
    if not isinstance(target, RemoteObject):
        values, failure = run(target, *args)
        return values, None if failure is None else failure[0]
    worker = target._bp_live()
    calls, methods = calls_of(target, *args)
    kind = target._bp_type
    reply = worker.request(
        proto.LOOP,
        f"a call of {kind}.{methods} in a loop",
        {proto.TARGET: target, proto.NAME: name, proto.ARGS: args},
        ticks=calls,
        key=f"{kind}.{methods}",
    )
    if not (
        isinstance(reply, tuple)
        and len(reply) == 3
        and isinstance(reply[0], tuple)
        and len(reply[0]) <= calls
        and (reply[1] is None or isinstance(reply[1], dict))
        and (reply[1] is None) == (reply[2] is None)
    ):
        worker.kill(f"the submission's process sent an invalid reply to a loop of {calls} calls")
        raise SubmissionDied(worker.dead)
    values, info, call = reply
    if info is None:
        return list(values), None
    type_name = str(info.get(proto.ERR_TYPE, "Exception"))[:80]
    said = str(info.get(proto.ERR_MSG, ""))[:4000]
    if call == loops.ASARRAY:  # the kit's reading of forward's output, as in-process
        return list(values), _builtin(type_name)(f"np.asarray(net.forward(X)) raised: {said}")
    message = f"{kind}.{str(call)[:80]} raised {type_name}: {said}"
    tb = str(info.get(proto.ERR_TB, ""))[:8000]
    return list(values), raised_class(type_name)(message, type_name, tb)


def _builtin(type_name: str) -> type[Exception]:
    found = getattr(builtins, type_name, None)
    if isinstance(found, type) and issubclass(found, Exception):
        return found
    return ValueError


def complete(values: list[Any], calls: int, what: str) -> None:
    """A loop that ended early without a failure, all its values accepted: only a broken
    worker replies so (a loop stops early after a value the grader refuses, which it has
    refused by then)."""
    if len(values) < calls:
        raise SubmissionDied(
            f"the submission's process returned {len(values)} values of {what} for {calls} calls"
        )
