"""Loops that call the submission thousands of times, run where the submission runs.

In grading mode each loop is one request to the worker (worker.py loads this file by its path),
so 5000 training steps cost one round trip instead of 5000; in-process the checks call the same
functions directly, so both modes make the very same calls, with the same arguments, in the
same order. A loop returns what the submission returned, call by call, and the grader validates
and judges every value exactly as it would a single call's: nothing here knows an expected
value, and a submission that rewrites these functions in its own process gains nothing it could
not get by returning other numbers from its own methods.

This file imports only the standard library and NumPy (the worker cannot import the kit). Each
loop stops at the first call that raises and returns ``(values, failure)``: the values of the
calls before it and ``(the exception, the call that raised it)``, or None. ``tick``, where
given, is called after each call of the submission: in the worker it tells the grader that a
call returned, so that each call keeps its own time limit however long the loop runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Failure = tuple[BaseException, str] | None


def kept(value: Any) -> Any:
    """A returned array as it is now: a loss written into a buffer the implementation reuses
    (``np.sum(..., out=self.loss)``) must keep each call's value, as the grader's reading of it
    right after the call did."""
    return value.copy() if isinstance(value, np.ndarray) else value


def refused_as_number(value: Any) -> bool:
    """What the grader's check of one real number (pytest_helpers.as_float) refuses for its
    type or size: a loop stops there, making no call the grader would not have made."""
    if isinstance(value, bool) or not isinstance(
        value, int | float | np.integer | np.floating | np.ndarray
    ):
        return True
    return isinstance(value, np.ndarray) and value.size != 1


def refused_by_float(value: Any) -> bool:
    """Whether ``float(value)``, the grader's reading of a training step's loss, fails."""
    try:
        float(value)
    except Exception:
        return True
    return False


def repeat(
    target: Any,
    name: str,
    args: Sequence[Any],
    count: int,
    fresh: bool,
    tick: Callable[[], None] | None = None,
) -> tuple[list[Any], Failure]:
    """``target.name(*args)`` ``count`` times, as a student's training loop calls it: the same
    argument objects every time, or with ``fresh`` a new copy of each array argument for each
    call (a loop that writes ``X.copy()``). Each value is read as a float (the loss of a step):
    the loop stops after one that cannot be."""
    values: list[Any] = []
    for _ in range(count):
        call_args = [a.copy() if fresh and isinstance(a, np.ndarray) else a for a in args]
        try:
            value = getattr(target, name)(*call_args)
        except Exception as err:
            return values, (err, name)
        values.append(kept(value))
        if tick is not None:
            tick()
        if refused_by_float(value):
            break
    return values, None


def losses_at(
    net: Any,
    attr: str,
    index: int,
    points: Sequence[Any],
    X: np.ndarray,
    Y: np.ndarray,
    tick: Callable[[], None] | None = None,
) -> tuple[list[Any], Failure]:
    """For each array p of ``points``: ``net.<attr>[index] = p``, then
    ``net.cross_entropy_loss(np.asarray(net.forward(X.copy())), Y.copy())``, then the original
    array put back: the loss as a function of one parameter array, at each point of a
    finite-difference stencil. Stops after a loss the grader refuses."""
    params = getattr(net, attr)
    original = params[index]
    losses: list[Any] = []
    for p in points:
        step = f"{attr}.__setitem__"
        try:
            params[index] = p
            step = "forward"
            y_pred = net.forward(X.copy())
            if tick is not None:
                tick()
            step = ASARRAY
            y_pred = np.asarray(y_pred)
            step = "cross_entropy_loss"
            loss = net.cross_entropy_loss(y_pred, Y.copy())
            if tick is not None:
                tick()
        except Exception as err:
            return losses, (err, step)
        finally:
            params[index] = original
        losses.append(kept(loss))
        if refused_as_number(loss):
            break
    return losses, None


#: The step of a loop that is the kit's, not a call of the submission: its error is reported as
#: the kit's reading of the output, as before the loops ran in the worker.
ASARRAY = "np.asarray"


def put(
    net: Any,
    weights: Sequence[Any],
    biases: Sequence[Any],
    tick: Callable[[], None] | None = None,
) -> tuple[list[Any], Failure]:
    """``net.weights[i] = weights[i]`` and ``net.biases[i] = biases[i]``, layer by layer, each
    list read once (how the checks give a network a case's parameters)."""
    targets = (net.weights, net.biases)
    for i, (W, b) in enumerate(zip(weights, biases)):
        for target, value, name in zip(targets, (W, b), ("weights", "biases")):
            try:
                target[i] = value
            except Exception as err:
                return [], (err, f"{name}.__setitem__")
            if tick is not None:
                tick()
    return [], None


def losses_of(
    net: Any,
    points: Sequence[tuple[Sequence[Any], Sequence[Any]]],
    X: np.ndarray,
    Y: np.ndarray,
    shape: Sequence[int],
    tick: Callable[[], None] | None = None,
) -> tuple[list[Any], Failure]:
    """For each parameter set ``(weights, biases)`` of ``points``: the arrays not already in
    ``net`` put into ``net.weights`` and ``net.biases`` item by item (copies), then
    ``y = net.forward(X.copy())`` and, where y is a float64 array of ``shape`` (what the grader
    accepts), ``net.cross_entropy_loss(y, Y.copy())``. Returns ``(y, loss)`` pairs; a y the
    grader will refuse ends the loop, as ``(y, None)``, its loss not asked for, and so does a
    loss it will refuse."""
    n = len(points[0][0]) if points else 0
    sent: list[list[Any]] = [[None] * n, [None] * n]
    values: list[Any] = []
    for point in points:
        step = "weights/biases.__setitem__"
        try:
            for arrays, target, last in zip(point, (net.weights, net.biases), sent):
                for i, a in enumerate(arrays):
                    if a is not last[i]:
                        target[i] = a.copy()
                        last[i] = a
            step = "forward"
            y = net.forward(X.copy())
            if tick is not None:
                tick()
            if not (
                isinstance(y, np.ndarray) and y.shape == tuple(shape) and y.dtype == np.float64
            ):
                values.append((y, None))
                return values, None
            step = "cross_entropy_loss"
            loss = net.cross_entropy_loss(np.asarray(y).view(np.ndarray), Y.copy())
            if tick is not None:
                tick()
        except Exception as err:
            return values, (err, step)
        values.append((kept(y), kept(loss)))
        if refused_as_number(loss):
            break
    return values, None


def repeat_calls(target: Any, name: str, args: Any, count: int, fresh: bool) -> tuple[int, str]:
    return int(count), name


def losses_at_calls(
    net: Any, attr: str, index: int, points: Sequence[Any], X: Any, Y: Any
) -> tuple[int, str]:
    return 2 * len(points), "forward/cross_entropy_loss"


def put_calls(net: Any, weights: Sequence[Any], biases: Sequence[Any]) -> tuple[int, str]:
    return 2 * len(weights), "weights/biases.__setitem__"


def losses_of_calls(net: Any, points: Sequence[Any], X: Any, Y: Any, shape: Any) -> tuple[int, str]:
    return 2 * len(points), "forward/cross_entropy_loss"


#: The loops a request may name, each with what it calls for its arguments: how many calls of
#: the submission (the most ticks the grader accepts while it runs), and of which methods.
LOOPS: dict[str, tuple[Callable[..., tuple[list[Any], Failure]], Callable[..., tuple[int, str]]]]
LOOPS = {
    "repeat": (repeat, repeat_calls),
    "losses_at": (losses_at, losses_at_calls),
    "losses_of": (losses_of, losses_of_calls),
    "put": (put, put_calls),
}
