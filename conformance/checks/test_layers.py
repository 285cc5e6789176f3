"""The layers of an adapted API, one by one (an adapter's ``LAYERS``): collected only for one.

Through a whole network a layer's bug can hide (a backward that writes into its upstream
gradient, an affine layer that forgets to reshape an input of more than two dimensions) or show
far from where it is. Here each layer gets small float64 inputs and an upstream gradient, and
its outputs and gradients are compared with their definitions: ``out = x·w + b``,
``dx = dout·wᵀ``, ``dw = xᵀ·dout``, ``db = Σ dout``; ReLU's mask (0 at x = 0, as in PyTorch);
softmax cross-entropy's mean loss and ``(softmax(scores) − onehot(y)) / N``; where the API has
them apart, softmax's Jacobian and cross-entropy's ``−onehot(y) / p / N``, with labels as class
indices and, where it takes them, one-hot. Arrays are in the
row layout, as the layer APIs hold them; nothing the layers are given may change.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from conformance.conventions.adapter import Unsupported
from conformance.core import notes
from conformance.core.implementation import impl as bp
from conformance.helpers import guards
from conformance.helpers import pytest_helpers as ph

pytestmark = [pytest.mark.gradients, pytest.mark.for_layers]  # conftest.py: only with LAYERS

#: Products of a few O(1) terms, summed: rounding stays below 1e-13.
ATOL = 1e-12


def _layer(kind: str) -> Any:
    layers = getattr(bp.module, "LAYERS", None) or {}
    if kind not in layers:
        raise Unsupported(f"the adapter's LAYERS has no {kind!r}")
    return layers[kind]


def _bias_is_flat() -> bool:
    """The API's bias style, from the network its adapter builds: (M,) or (1, M)."""
    net = bp.own_module.NeuralNetwork([4, 3])
    return np.ndim(net.biases[0]) == 1


def _result(what: str, got: Any, shape: tuple[int, ...], call: str, inputs: dict) -> np.ndarray:
    """``got`` as a float64 array of ``shape``: a gradient has the shape of what it is of."""
    of = {"dx": "x", "dw": "w", "db": "b", "dscores": "scores", "dp": "p"}.get(what, "x")
    return ph.as_array(
        what, got, shape=shape, call=call, inputs=inputs, hint=f"{what} has the shape of {of}"
    )


def _unchanged(given: dict[str, np.ndarray], kept: dict[str, np.ndarray], call: str) -> None:
    for name, before in kept.items():
        ph.assert_unchanged(name, before, given[name], call=call, inputs=kept)


@pytest.mark.parametrize("dims", [(5, 4), (5, 2, 3)], ids=["x 2-D", "x 3-D"])
def test_affine_layer(dims: tuple[int, ...], rng: np.random.Generator) -> None:
    """out = x·w + b with x flattened to (N, D); backward(dout) = (dout·wᵀ in x's shape,
    x·ᵀdout, Σ_n dout), each in its input's shape. A 3-D x only where the API flattens one
    (LAYER_ND_INPUTS, as CS231n's affine_forward does)."""
    if len(dims) > 2 and not getattr(bp.module, "LAYER_ND_INPUTS", False):
        raise Unsupported("the API's affine layer takes 2-D inputs only")
    affine = _layer("affine")
    n, d, m = dims[0], int(np.prod(dims[1:])), 3
    x, w, dout = rng.normal(size=dims), rng.normal(size=(d, m)), rng.normal(size=(n, m))
    b = rng.normal(size=(m,) if _bias_is_flat() else (1, m))
    given = {"x": x, "w": w, "b": b, "dout": dout}
    kept = {k: v.copy() for k, v in given.items()}
    call = 'out, back = bp.LAYERS["affine"](x, w, b)'
    out, back = affine(x, w, b)
    x2 = kept["x"].reshape(n, d)
    expected = x2 @ kept["w"] + kept["b"].reshape(1, m)
    out = _result("out", out, (n, m), call, kept)
    ph.assert_close(
        "out",
        out,
        expected,
        rtol=ATOL,
        atol=ATOL,
        call=call,
        inputs=kept,
        hint="out = x.reshape(N, -1) @ w + b",
    )
    call += "\ndx, dw, db = back(dout)"
    dx, dw, db = back(dout)
    for what, got, want, hint in [
        (
            "dx",
            dx,
            (kept["dout"] @ kept["w"].T).reshape(dims),
            "dx = (dout @ w.T).reshape(x.shape)",
        ),
        ("dw", dw, x2.T @ kept["dout"], "dw = x.reshape(N, -1).T @ dout"),
        (
            "db",
            db,
            kept["dout"].sum(axis=0).reshape(b.shape),
            "db = dout.sum(axis=0), in b's shape",
        ),
    ]:
        got = _result(what, got, want.shape, call, kept)
        ph.assert_close(what, got, want, rtol=ATOL, atol=ATOL, call=call, inputs=kept, hint=hint)
    _unchanged(given, kept, call)


def test_relu_layer(rng: np.random.Generator) -> None:
    """out = max(0, x); backward(dout) = dout where x > 0, else 0 (at x = 0 too), exactly."""
    relu = _layer("relu")
    x = rng.normal(size=(4, 6))
    x[0, :3] = 0.0  # the kink, where the gradient is 0 as in PyTorch
    x[1, 0] = -0.0
    dout = rng.normal(size=x.shape)
    given = {"x": x, "dout": dout}
    kept = {k: v.copy() for k, v in given.items()}
    call = 'out, back = bp.LAYERS["relu"](x)'
    out, back = relu(x)
    out = _result("out", out, x.shape, call, kept)
    ph.assert_close(
        "out",
        out,
        np.maximum(kept["x"], 0.0),
        rtol=0,
        atol=0,
        call=call,
        inputs=kept,
        hint="out = np.maximum(0, x)",
    )
    call += "\ndx = back(dout)"
    dx = _result("dx", back(dout), x.shape, call, kept)
    expected = np.where(kept["x"] > 0, kept["dout"], 0.0)
    ph.assert_close(
        "dx",
        dx,
        expected,
        rtol=0,
        atol=0,
        call=call,
        inputs=kept,
        hint="dx = dout * (x > 0): zero where x ≤ 0, at x = 0 too",
    )
    _unchanged(given, kept, call)


def _labels(form: str, y: np.ndarray, c: int) -> np.ndarray:
    """The labels as the layer is given them: class indices, or one-hot rows where the API
    takes those too (LAYER_ONE_HOT_LABELS)."""
    if form == "one-hot":
        if not getattr(bp.module, "LAYER_ONE_HOT_LABELS", False):
            raise Unsupported("the API's loss layers take class indices only")
        return np.eye(c)[y]
    return y


def _assert_loss(loss: Any, expected: float, p_true: np.ndarray, call: str, kept: dict) -> None:
    """The mean loss, to 1e-12 relative; a clip of the probabilities the course template
    declares (LOSS_CLIP), or a guard of log, moves it by a known amount: accepted, noted."""
    clip = bp.conventions.loss_clip or guards.GUARD
    terms = guards.term_allowance(np.ones_like(p_true), p_true, same=False, guard=clip)
    loss = ph.as_float("loss", loss, call=call, inputs=kept)
    guarded = ph.assert_close(
        "loss",
        loss,
        expected,
        rtol=1e-12,
        atol=0,
        call=call,
        inputs=kept,
        hint="the mean over samples of −log p_y (log Σ exp s − s_y, shifted by each row's max)",
        allowance=float(np.sum(terms)) / len(p_true),
        allowance_why=f"a guard of log (clip ≤ {clip:g})",
    )
    if guarded and bp.conventions.loss_clip is not None:
        notes.note(
            "NeuralNetwork.cross_entropy_loss",
            f"the loss clips probabilities at {clip:g}, as the course template declares "
            "(LOSS_CLIP / --loss-clip)",
        )


def _softmax(scores: np.ndarray) -> np.ndarray:
    top = scores.max(axis=1, keepdims=True)
    e = np.exp(scores - top)
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("form", ["integers", "one-hot"])
@pytest.mark.parametrize("offset", [0.0, 1000.0], ids=["scores ~ 1", "scores ~ ±1000"])
def test_softmax_cross_entropy_layer(offset: float, form: str, rng: np.random.Generator) -> None:
    """loss = mean_n (log Σ_k exp s_nk − s_n,y_n), to 1e-12 relative; dscores =
    (softmax(s) − onehot(y)) / N. Rows of scores around ±1000 overflow (or underflow) an
    unshifted exp, while each class keeps an ordinary probability: the log of the shifted
    softmax is exact there."""
    loss_layer = _layer("softmax_cross_entropy")
    n, c = 5, 4
    classes = rng.integers(0, c, size=n)
    around = offset * rng.choice([-1.0, 1.0], size=(n, 1))
    scores, y = around + rng.normal(size=(n, c)), _labels(form, classes, c)
    given = {"scores": scores, "y": y}
    kept = {k: v.copy() for k, v in given.items()}
    call = 'loss, dscores = bp.LAYERS["softmax_cross_entropy"](scores, y)'
    loss, dscores = loss_layer(scores, y)
    top = kept["scores"].max(axis=1, keepdims=True)
    log_p = kept["scores"] - top - np.log(np.exp(kept["scores"] - top).sum(axis=1, keepdims=True))
    p_true = np.exp(log_p[range(n), classes])
    _assert_loss(loss, float(-log_p[range(n), classes].mean()), p_true, call, kept)
    dscores = _result("dscores", dscores, (n, c), call, kept)
    ph.assert_close(
        "dscores",
        dscores,
        (np.exp(log_p) - np.eye(c)[classes]) / n,
        rtol=1e-12,
        atol=1e-15,
        call=call,
        inputs=kept,
        hint="dscores = (softmax(scores) − onehot(y)) / N",
    )
    _unchanged(given, kept, call)


def test_softmax_layer(rng: np.random.Generator) -> None:
    """out = softmax over each row; backward(dout) = out ⊙ (dout − Σ_k dout ⊙ out), the
    Jacobian of each row's softmax applied to its upstream gradient."""
    softmax = _layer("softmax")
    x, dout = rng.normal(size=(4, 5)) * 3, rng.normal(size=(4, 5))
    given = {"x": x, "dout": dout}
    kept = {k: v.copy() for k, v in given.items()}
    call = 'out, back = bp.LAYERS["softmax"](x)'
    out, back = softmax(x)
    p = _softmax(kept["x"])
    out = _result("out", out, x.shape, call, kept)
    hint = "out = exp(x − max) / Σ exp(x − max), over each row"
    ph.assert_close("out", out, p, rtol=1e-12, atol=1e-15, call=call, inputs=kept, hint=hint)
    call += "\ndx = back(dout)"
    dx = _result("dx", back(dout), x.shape, call, kept)
    expected = p * (kept["dout"] - np.sum(kept["dout"] * p, axis=1, keepdims=True))
    hint = "dx = out * (dout − Σ_k dout·out): each row's Jacobian (diag(p) − p pᵀ) @ dout"
    ph.assert_close("dx", dx, expected, rtol=1e-10, atol=1e-14, call=call, inputs=kept, hint=hint)
    _unchanged(given, kept, call)


@pytest.mark.parametrize("form", ["integers", "one-hot"])
def test_cross_entropy_layer(form: str, rng: np.random.Generator) -> None:
    """Of probabilities: loss = mean_n −log p_n,y_n; dp = −onehot(y) / p / N."""
    cross_entropy = _layer("cross_entropy")
    n, c = 5, 4
    classes = rng.integers(0, c, size=n)
    p, y = _softmax(rng.normal(size=(n, c))), _labels(form, classes, c)
    given = {"p": p, "y": y}
    kept = {k: v.copy() for k, v in given.items()}
    call = 'loss, dp = bp.LAYERS["cross_entropy"](p, y)'
    loss, dp = cross_entropy(p, y)
    p_true = kept["p"][range(n), classes]
    _assert_loss(loss, float(-np.log(p_true).mean()), p_true, call, kept)
    dp = _result("dp", dp, (n, c), call, kept)
    expected = -np.eye(c)[classes] / kept["p"] / n
    hint = "dp = −onehot(y) / p / N"
    ph.assert_close("dp", dp, expected, rtol=1e-12, atol=0, call=call, inputs=kept, hint=hint)
    _unchanged(given, kept, call)
