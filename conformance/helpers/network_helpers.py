"""Driving the implementation's NeuralNetwork (imported as ``nh``): build one carrying a
case's parameters, run it, and read its gradients back with their types and shapes checked."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from conformance.conventions.adapter import Unsupported, supported_layers
from conformance.core.implementation import impl as bp
from conformance.helpers import pytest_helpers as ph
from conformance.helpers import recognisers
from conformance.helpers.numerics import FD_STEP, NetCase, from_stencil, reference_network, stencil
from conformance.sandbox.loop_requests import complete, run_loop

HINT_SHAPES = "weights[i] is (n_out, n_in), biases[i] is (n_out, 1); dW, db match them"
ONE_NUMBER_DB = (
    "it is one number: a sum over the units too (np.sum without axis=, or over axis 0); "
    + recognisers.DB_SUM
)


def not_the_adapters(part: str) -> None:
    """Skip a check of ``part`` ("NeuralNetwork.__init__") where the adapter writes it itself
    (its ADAPTER_BUILDS): it would judge the adapter, not the code."""
    __tracebackhide__ = True
    if part in bp.adapter_builds:
        raise Unsupported(f"{part} is the adapter's, not the code's: {bp.adapter_builds[part]}")


def supported(layers: list[int]) -> list[int]:
    """The layers of a check whose subject is not a depth, at one the network supports
    (the same layers unless it declared its depths: conformance.conventions)."""
    return supported_layers(bp.conventions, layers)


def inputs(case: NetCase) -> dict[str, Any]:
    """The case as copy-pasteable arrays for a failure's reproduction."""
    named: dict[str, Any] = {f"W{i}": W for i, W in enumerate(case.weights)}
    named |= {f"b{i}": b for i, b in enumerate(case.biases)}
    return named | {"X": case.X, "Y": case.Y}


def setup_call(case: NetCase) -> str:
    """The lines that build the case's network; a check appends its own call."""
    n = len(case.weights)
    w = ", ".join(f"W{i}" for i in range(n))
    b = ", ".join(f"b{i}" for i in range(n))
    return f"net = bp.NeuralNetwork({case.layers})\nnet.weights[:] = [{w}]\nnet.biases[:] = [{b}]\n"


def build(case: NetCase) -> Any:
    """bp.NeuralNetwork(case.layers) with its parameters replaced by copies of the case's."""
    __tracebackhide__ = True
    net = bp.NeuralNetwork(list(case.layers))
    check_parameters(net, case.layers)
    # net.weights[i] = W.copy(), net.biases[i] = b.copy(), layer by layer: one request.
    _, failure = run_loop(
        "put", net, [W.copy() for W in case.weights], [b.copy() for b in case.biases]
    )
    if failure is not None:
        raise failure
    return net


def check_parameters(net: Any, layers: list[int]) -> None:
    """weights and biases are lists of float64 arrays of the contract's shapes."""
    __tracebackhide__ = True
    call = f"NeuralNetwork({layers})"
    # Each list read once: in grading mode every attribute read is a round trip.
    lists = {attr: getattr(net, attr, None) for attr in ("weights", "biases")}
    for attr, value in lists.items():
        if not isinstance(value, list) or len(value) != len(layers) - 1:
            ph.fail(
                f"{call}.{attr}={type(value).__name__} of length "
                f"{len(value) if hasattr(value, '__len__') else '?'}, but should be a list of "
                f"{len(layers) - 1} arrays",
                call=call,
                hint=HINT_SHAPES,
            )
    expected = [s for n_in, n_out in zip(layers, layers[1:]) for s in ((n_out, n_in), (n_out, 1))]
    got = [np.shape(p) for pair in zip(lists["weights"], lists["biases"]) for p in pair]
    hint = recognisers.layout(got, expected) or HINT_SHAPES
    for i, (n_in, n_out) in enumerate(zip(layers, layers[1:])):
        for attr, shape in (("weights", (n_out, n_in)), ("biases", (n_out, 1))):
            value = lists[attr][i]
            ph.as_array(f"{call}.{attr}[{i}]", value, shape=shape, call=call, hint=hint)


def assert_normal_weights(what: str, W: np.ndarray, std: float, call: str, hint: str) -> None:
    """W ~ N(0, std²): sample std within 3% of ``std`` (the estimate's own standard error is
    ≤ 0.5% at the sizes checked, so 3% is > 6σ), mean within 6 standard errors, and the excess
    kurtosis of a normal, 0, within 0.25 (standard error √(24/N) ≤ 0.03; a uniform
    distribution has −1.2)."""
    ph.assert_close(f"{what}.std()", W.std(), std, rtol=0.03, atol=0, call=call, hint=hint)
    ph.assert_close(
        f"{what}.mean()",
        W.mean(),
        0.0,
        rtol=0,
        atol=6 * std / np.sqrt(W.size),
        call=call,
        hint="the initialisation draws from a normal distribution centred at 0",
    )
    centred = W - W.mean()
    kurtosis = float(np.mean(centred**4) / np.mean(centred**2) ** 2 - 3.0)
    ph.assert_close(
        f"excess kurtosis of {what}",
        kurtosis,
        0.0,
        rtol=0,
        atol=0.25,
        call=call,
        hint="the initialisation draws from a normal distribution (randn), not a uniform one",
    )


def forward(net: Any, case: NetCase, X: np.ndarray | None = None) -> np.ndarray:
    __tracebackhide__ = True
    X = case.X if X is None else X
    got = net.forward(X.copy())
    shape = (case.layers[-1], X.shape[1])
    return ph.as_array(
        "net.forward(X)",
        got,
        shape=shape,
        call=setup_call(case) + "net.forward(X)",
        inputs=inputs(case),
        hint=recognisers.layout([np.shape(got)], [shape]),
    )


def loss(net: Any, case: NetCase, y_pred: np.ndarray) -> float:
    __tracebackhide__ = True
    return loss_value(case, net.cross_entropy_loss(y_pred, case.Y.copy()))


def loss_value(case: NetCase, got: Any) -> float:
    """What net.cross_entropy_loss returned on the case, checked to be one float."""
    __tracebackhide__ = True
    return ph.as_float(
        "net.cross_entropy_loss(y_pred, Y)",
        got,
        call=setup_call(case) + "net.cross_entropy_loss(net.forward(X), Y)",
        inputs=inputs(case),
    )


def gradients(net: Any, case: NetCase) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """forward(X), backward(Y), then dW and db, checked to be lists of the right shapes."""
    __tracebackhide__ = True
    forward(net, case)
    net.backward(case.Y.copy())
    call = setup_call(case) + "net.forward(X); net.backward(Y); net.dW, net.db"
    grads = []
    for attr, params in (("dW", case.weights), ("db", case.biases)):
        value = getattr(net, attr, None)
        if not isinstance(value, list | tuple) or len(value) != len(params):
            ph.fail(
                f"net.{attr} is {type(value).__name__}"
                f"{f' of length {len(value)}' if hasattr(value, '__len__') else ''}, but "
                f"should be a list of {len(params)} arrays, one per layer",
                call=call,
                inputs=inputs(case),
                hint=HINT_SHAPES,
            )
        grads.append(
            [
                ph.as_array(
                    f"net.{attr}[{i}]",
                    g,
                    shape=p.shape,
                    call=call,
                    inputs=inputs(case),
                    hint=shape_hint(attr, np.shape(g), p.shape),
                )
                for i, (g, p) in enumerate(zip(value, params))
            ]
        )
    return grads[0], grads[1]


def shape_hint(attr: str, got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    """What a gradient of the wrong shape says. The parameters have the contract's shapes by
    now (a network in another layout is told so when it is built), so a transposed gradient is
    a bug of backward's, not a layout."""
    if len(got) == 2 and got == expected[::-1] and got != expected:
        params = "weights" if attr == "dW" else "biases"
        return f"it is transposed: net.{attr}[i] must have the shape of net.{params}[i]"
    if attr == "db" and got == expected[:1]:
        return "it is flat: keep the bias's shape, np.sum(dz, axis=1, keepdims=True)"
    if attr == "db" and math.prod(got) == 1 < expected[0]:
        return ONE_NUMBER_DB
    return HINT_SHAPES


def numeric_gradients(case: NetCase) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Central differences of net.cross_entropy_loss(net.forward(X), Y) for every parameter,
    each array's stencil one loop where the submission runs (loops.losses_at), every loss
    checked here as a single call's is."""
    __tracebackhide__ = True
    net = build(case)

    def along(attr: str, i: int, x: np.ndarray) -> np.ndarray:
        __tracebackhide__ = True
        points = stencil(x, FD_STEP)
        values, failure = run_loop("losses_at", net, attr, i, points, case.X, case.Y)
        losses = [loss_value(case, got) for got in values]
        if failure is not None:
            raise failure
        complete(losses, len(points), "cross_entropy_loss")
        return from_stencil(losses, x.shape, FD_STEP)

    n = len(case.weights)
    dW = [along("weights", i, case.weights[i]) for i in range(n)]
    db = [along("biases", i, case.biases[i]) for i in range(n)]
    return dW, db


def assert_parameters_close(
    net: Any,
    weights: list[np.ndarray],
    biases: list[np.ndarray] | None,
    *,
    when: str,
    rtol: float,
    atol: float,
    call: str,
    inputs: dict[str, Any],
    hint: str | None,
    step_from: tuple[NetCase, tuple[list[np.ndarray], list[np.ndarray]], float] | None = None,
    unchanged: str | None = None,
) -> None:
    """net.weights (and net.biases, unless ``biases`` is None) equal the expected lists.

    ``step_from`` — (the case the parameters started from, its gradients (dW, db), lr) —
    says that the expected parameters are one SGD step away, so that a wrong step can be
    recognised (recognisers.step, with ``unchanged`` for an array that did not move);
    ``hint`` is shown when none is."""
    __tracebackhide__ = True
    for k, (name, params, expected) in enumerate(
        (("weights", net.weights, weights), ("biases", net.biases, biases))
    ):
        for i, (p, e) in enumerate(zip(params, expected or [])):
            got = np.asarray(p)
            found = None  # recognisers.step is None for a step that fits, so it runs always
            if step_from is not None and got.shape == e.shape:
                case, grads, lr = step_from
                before = (case.weights, case.biases)[k][i]
                found = recognisers.step(
                    before, got, grads[k][i], lr, f"net.{name}[{i}]", unchanged
                )
            ph.assert_close(
                f"net.{name}[{i}]{when}",
                got,
                e,
                rtol=rtol,
                atol=atol,
                call=call,
                inputs=inputs,
                hint=found or hint,
            )


def assert_gradients_close(
    case: NetCase,
    got: tuple[list[np.ndarray], list[np.ndarray]],
    expected: tuple[list[np.ndarray], list[np.ndarray]],
    *,
    scale_rtol: float,
    atol: float,
    hint: str,
) -> None:
    """Every dW[i], db[i] within atol + scale_rtol·max|expected[i]|, from the output layer
    back: the first layer reported is the one closest to the output, where a bug enters."""
    __tracebackhide__ = True
    call = setup_call(case) + "net.forward(X); net.backward(Y); net.dW, net.db"
    for i in reversed(range(len(case.weights))):
        for k, (name, g, e) in enumerate(
            (("dW", got[0][i], expected[0][i]), ("db", got[1][i], expected[1][i]))
        ):
            tolerance = atol + scale_rtol * float(np.max(np.abs(e)))
            if np.all(np.abs(g - e) <= tolerance):
                continue
            ph.assert_close(
                f"net.{name}[{i}]",
                g,
                e,
                rtol=0,
                atol=tolerance,
                call=call,
                inputs=inputs(case),
                hint=recognised(case, got, expected, (k, i)) or hint,
            )


def recognised(
    case: NetCase,
    got: tuple[list[np.ndarray], list[np.ndarray]],
    expected: tuple[list[np.ndarray], list[np.ndarray]],
    failing: tuple[int, int],
) -> str | None:
    """The recognised pattern of the failing array ((0 for dW or 1 for db, layer)), or else
    the first one among the other arrays from the output back, named: an array of two
    entries carries none, the rest of the same gradient may."""
    samples = per_sample_gradients(case)
    order = [failing] + [
        (k, i) for i in reversed(range(len(case.weights))) for k in (0, 1) if (k, i) != failing
    ]
    for k, i in order:
        g, e = got[k][i], expected[k][i]
        found = recognisers.gradient(g, e, case.batch, [s[k][i] for s in samples])
        if found:
            return found if (k, i) == failing else f"net.{('dW', 'db')[k]}[{i}]: {found}"
    # Small arrays each: the whole gradient, entry by entry, may still show a common factor.
    whole_got = np.concatenate([np.ravel(a) for a in (*got[0], *got[1])])
    whole = np.concatenate([np.ravel(a) for a in (*expected[0], *expected[1])])
    found = recognisers.common_factor(whole_got, whole, case.batch)
    return f"across all of dW and db, {found}" if found else None


def per_sample_gradients(case: NetCase) -> list[tuple[list[np.ndarray], list[np.ndarray]]]:
    """The kit's reference gradients (dW, db) of each sample's loss alone."""
    grads = []
    for j in range(case.batch):
        oracle = reference_network(case.weights, case.biases)
        oracle.forward(case.X[:, [j]])
        oracle.backward(case.Y[:, [j]])
        grads.append((oracle.dW, oracle.db))
    return grads
