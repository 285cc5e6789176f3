"""Driving the implementation's NeuralNetwork (imported as ``nh``): build one carrying a
case's parameters, run it, and read its gradients back with their types and shapes checked."""

from __future__ import annotations

from typing import Any

import numpy as np

from conformance.core.implementation import impl as bp
from conformance.helpers import pytest_helpers as ph
from conformance.helpers.numerics import FD_STEP, NetCase, central_difference

HINT_SHAPES = "weights[i] is (n_out, n_in), biases[i] is (n_out, 1); dW, db match them"


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
    for i, (W, b) in enumerate(zip(case.weights, case.biases)):
        net.weights[i] = W.copy()
        net.biases[i] = b.copy()
    return net


def check_parameters(net: Any, layers: list[int]) -> None:
    """weights and biases are lists of float64 arrays of the contract's shapes."""
    __tracebackhide__ = True
    call = f"NeuralNetwork({layers})"
    for attr in ("weights", "biases"):
        value = getattr(net, attr, None)
        if not isinstance(value, list) or len(value) != len(layers) - 1:
            ph.fail(
                f"{call}.{attr}={type(value).__name__} of length "
                f"{len(value) if hasattr(value, '__len__') else '?'}, but should be a list of "
                f"{len(layers) - 1} arrays",
                call=call,
                hint=HINT_SHAPES,
            )
    for i, (n_in, n_out) in enumerate(zip(layers, layers[1:])):
        ph.as_array(f"{call}.weights[{i}]", net.weights[i], shape=(n_out, n_in), call=call)
        ph.as_array(f"{call}.biases[{i}]", net.biases[i], shape=(n_out, 1), call=call)


def forward(net: Any, case: NetCase, X: np.ndarray | None = None) -> np.ndarray:
    __tracebackhide__ = True
    X = case.X if X is None else X
    got = net.forward(X.copy())
    return ph.as_array(
        "net.forward(X)",
        got,
        shape=(case.layers[-1], X.shape[1]),
        call=setup_call(case) + "net.forward(X)",
        inputs=inputs(case),
    )


def loss(net: Any, case: NetCase, y_pred: np.ndarray) -> float:
    __tracebackhide__ = True
    got = net.cross_entropy_loss(y_pred, case.Y.copy())
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
                ph.as_array(f"net.{attr}[{i}]", g, shape=p.shape, call=call, inputs=inputs(case))
                for i, (g, p) in enumerate(zip(value, params))
            ]
        )
    return grads[0], grads[1]


def numeric_gradients(case: NetCase) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Central differences of net.cross_entropy_loss(net.forward(X), Y) for every parameter."""
    net = build(case)

    def loss_at(kind: str, i: int):
        params = net.weights if kind == "W" else net.biases
        original = params[i]

        def f(p: np.ndarray) -> float:
            params[i] = p
            try:
                return loss(net, case, np.asarray(net.forward(case.X.copy())))
            finally:
                params[i] = original

        return f

    n = len(case.weights)
    dW = [central_difference(loss_at("W", i), case.weights[i], FD_STEP) for i in range(n)]
    db = [central_difference(loss_at("b", i), case.biases[i], FD_STEP) for i in range(n)]
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
    hint: str,
) -> None:
    """net.weights (and net.biases, unless ``biases`` is None) equal the expected lists."""
    __tracebackhide__ = True
    for name, params, expected in (
        ("weights", net.weights, weights),
        ("biases", net.biases, biases),
    ):
        for i, (p, e) in enumerate(zip(params, expected or [])):
            ph.assert_close(
                f"net.{name}[{i}]{when}",
                np.asarray(p),
                e,
                rtol=rtol,
                atol=atol,
                call=call,
                inputs=inputs,
                hint=hint,
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
        for name, g, e in (("dW", got[0][i], expected[0][i]), ("db", got[1][i], expected[1][i])):
            ph.assert_close(
                f"net.{name}[{i}]",
                g,
                e,
                rtol=0,
                atol=atol + scale_rtol * float(np.max(np.abs(e))),
                call=call,
                inputs=inputs(case),
                hint=diagnose(g, e, case.batch) or hint,
            )


def diagnose(got: np.ndarray, expected: np.ndarray, batch: int) -> str | None:
    """A one-line guess at a common gradient bug, from how ``got`` relates to ``expected``."""
    if got.shape != expected.shape or not np.all(np.isfinite(got)):
        return None
    scale = float(np.max(np.abs(expected)))
    if scale == 0:
        return None

    def close(a: np.ndarray | float, b: np.ndarray | float) -> bool:
        return bool(np.allclose(a, b, rtol=1e-6, atol=1e-9 * scale))

    if got.ndim == 2 and got.shape[0] == got.shape[1] and close(got.T, expected):
        return "it is the transpose of the expected gradient: check W vs Wᵀ and a vs aᵀ"
    mask = np.abs(expected) > 1e-3 * scale
    ratios = got[mask] / expected[mask]
    if ratios.size and close(ratios, ratios[0]):
        factor = float(ratios[0])
        if batch > 1 and close(factor, batch):
            return (
                f"every entry is {batch}× too large, with {batch} samples in the batch: divide by m"
            )
        if batch > 1 and close(factor, 1 / batch):
            return f"every entry is {batch}× too small: divide by m only once"
        if close(factor, -1.0):
            return "every entry has the wrong sign: the gradient of the loss is y_pred − y_true"
        if not close(factor, 1.0):
            return f"every entry is off by the same factor {factor:.6g}"
    return None
