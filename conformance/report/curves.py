"""What the report's figures show, computed from an implementation: its activation curves, XOR
training losses, one binary prediction's loss, gradient and entropy, the entropy connection,
and each layer's gradient error.

Every call into the implementation goes through ``Calls``: one that raises, hangs, or returns
the wrong shape or a non-finite value becomes a line in ``Calls.problems`` and a missing
value, never an exception, so that it costs only its own curve. The same functions compute the
reference's curves (with a ``Calls`` of their own), so both come from one piece of code.
Nothing here draws: that is ``conformance.report.figures``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance import fixtures
from conformance.conventions.adapter import Unsupported
from conformance.core.deadline import ImplTimeout
from conformance.helpers import network_helpers as nh
from conformance.helpers.numerics import FD_ATOL, FD_RTOL, well_conditioned_case
from conformance.sandbox.loop_requests import run_loop


class Calls:
    """Calls into the implementation for one figure; a failure becomes a line in
    ``problems`` and the value None, never an exception."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        #: The figure's time limit has passed: no further call is made.
        self.expired = False
        #: label → how far the implementation's curve is off the reference's (compare).
        self.off: dict[str, float] = {}

    def compare(
        self, label: str, ref: np.ndarray, got: np.ndarray | None, *, log: bool = False
    ) -> None:
        """The largest |got − ref| as a fraction of ref's range (on a log axis, of log10
        values); inf where got could not be drawn, or has gaps where ref has none."""
        r = np.log10(ref) if log else np.asarray(ref, dtype=np.float64)
        height = float(np.nanmax(r) - np.nanmin(r)) or 1.0
        if got is None:
            self.off[label] = math.inf
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.log10(np.where(got > 0, got, np.nan)) if log else got
        d = np.abs(g - r)
        missing = bool(np.any(~np.isfinite(d) & np.isfinite(r)))
        self.off[label] = math.inf if missing else float(np.nanmax(d)) / height

    def value(self, what: str, fn: Callable[[], Any]) -> Any:
        if self.expired:
            return None
        try:
            return fn()
        except KeyboardInterrupt:
            raise
        except ImplTimeout as err:
            self.expired = True
            self.problems.append(f"{what}: {err}; the rest of this figure was not computed")
        except Unsupported as err:  # a name outside an adapted API: said once, not an error
            said = f"{_first_line(err)}: the figure shows the reference's curve alone"
            if said not in self.problems:
                self.problems.append(said)
        except BaseException as err:  # its own errors, a missing name, a dead worker
            self.problems.append(f"{what} raised {type(err).__name__}: {_first_line(err)}")
        return None

    def array(self, what: str, fn: Callable[[], Any], shape: tuple[int, ...]) -> np.ndarray | None:
        """fn() as a float64 array of ``shape``; None (and a problem) if it is not one. Its
        non-finite entries are kept (they are not drawn) and reported."""
        got = self.value(what, fn)
        if got is None:
            return None
        try:
            a = np.array(got, dtype=np.float64)
        except (TypeError, ValueError) as err:
            self.problems.append(f"{what} returned {type(got).__name__}, not numbers: {err}")
            return None
        if a.shape != shape:
            if a.size == math.prod(shape):
                self.problems.append(f"{what} has shape {a.shape}, not {shape}; drawn reshaped")
                a = a.reshape(shape)
            else:
                self.problems.append(f"{what} has shape {a.shape}, not {shape}: not drawn")
                return None
        if bad := int(np.sum(~np.isfinite(a))):
            self.problems.append(f"{what} has {bad} non-finite entries of {a.size}: gaps")
        return a

    def scalar(self, what: str, fn: Callable[[], Any]) -> float:
        got = self.value(what, fn)
        if got is None:
            return math.nan
        try:
            return float(np.asarray(got, dtype=np.float64).reshape(()))
        except (TypeError, ValueError):
            self.problems.append(f"{what} returned {type(got).__name__}, not a number")
            return math.nan


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:300] if text else "(no message)"


# -- (1) activations and their derivatives -------------------------------------------------------

#: The tutorial plots z in [−5, 5]; an odd count puts z = 0 (ReLU's kink) on the grid.
ACTIVATION_Z = np.linspace(-5, 5, 201)
ACTIVATIONS = ("sigmoid", "relu", "tanh")


def activation_curves(module: Any, calls: Calls) -> dict[str, np.ndarray | None]:
    """Each activation and its derivative at ACTIVATION_Z, by function name (``sigmoid``,
    ``sigmoid_derivative``, ...)."""
    z = ACTIVATION_Z
    return {
        f: calls.array(f"{f}(z)", lambda f=f: getattr(module, f)(z.copy()), z.shape)
        for name in ACTIVATIONS
        for f in (name, f"{name}_derivative")
    }


# -- (2) XOR training loss ------------------------------------------------------------------------


def xor_losses(module: Any, calls: Calls) -> np.ndarray:
    """Losses of train_step over the tutorial's 5000 steps at lr 0.5, from the kit's first
    starting point (so both networks start alike); NaN from the first step that failed."""
    weights, biases = fixtures.xor_start(fixtures.XOR_START_SEEDS[0])
    X, Y = fixtures.XOR_X, fixtures.XOR_Y
    losses = np.full(fixtures.XOR_STEPS, np.nan)
    net = calls.value("NeuralNetwork([2, 4, 2])", lambda: module.NeuralNetwork(fixtures.XOR_LAYERS))
    if net is None:
        return losses
    ok = calls.value(
        "setting net.weights[i] and net.biases[i]",
        lambda: [_put(net, i, W, b) for i, (W, b) in enumerate(zip(weights, biases))],
    )
    if ok is None:
        return losses
    # One loop where the submission runs (in grading mode, one request to its worker).
    ran = calls.value(
        f"train_step(X, Y, {fixtures.XOR_LR:g}) × {fixtures.XOR_STEPS}",
        lambda: run_loop(
            "repeat", net, "train_step", (X, Y, fixtures.XOR_LR), fixtures.XOR_STEPS, True
        ),
    )
    if ran is None:
        return losses
    values, failure = ran
    for step, got in enumerate(values):
        loss = calls.scalar(
            f"train_step(X, Y, {fixtures.XOR_LR:g}) at step {step + 1}", lambda got=got: got
        )
        if not math.isfinite(loss):
            return losses
        losses[step] = loss
    if failure is not None:
        calls.value(
            f"train_step(X, Y, {fixtures.XOR_LR:g}) at step {len(values) + 1}",
            lambda: _raise(failure),
        )
    return losses


def _raise(err: BaseException) -> None:
    raise err


def _put(net: Any, i: int, W: np.ndarray, b: np.ndarray) -> None:
    net.weights[i] = W.copy()
    net.biases[i] = b.copy()


# -- (3) one binary prediction --------------------------------------------------------------------

P_CLASS0 = np.linspace(0.01, 0.99, 99)  # the tutorial's range, with p = 0.5 on the grid
Y_CLASS0 = np.array([1.0, 0.0])


def binary_curves(module: Any, calls: Calls) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """cross_entropy(y, ŷ), |∂L/∂z| and entropy(ŷ) for ŷ = (p, 1 − p), y = class 0.

    ∂L/∂z comes from the implementation's own backward: a network with no hidden layer, W = 0
    and b = log ŷ, so that forward gives ŷ and db is ∂L/∂z for one sample.
    """
    loss, grad, entropy = (np.full(P_CLASS0.shape, np.nan) for _ in range(3))
    net = calls.value("NeuralNetwork([1, 2])", lambda: module.NeuralNetwork([1, 2]))
    for k, p in enumerate(P_CLASS0):
        y_pred = np.array([p, 1 - p])
        loss[k] = calls.scalar(
            f"cross_entropy({Y_CLASS0.tolist()}, {y_pred.tolist()})",
            lambda y=y_pred: module.cross_entropy(Y_CLASS0.copy(), y.copy()),
        )
        entropy[k] = calls.scalar(
            f"entropy({y_pred.tolist()})", lambda y=y_pred: module.entropy(y.copy())
        )
        if net is not None:
            db = calls.array(
                f"net.db[0] after forward and backward at ŷ = {y_pred.tolist()}",
                lambda n=net, y=y_pred: _output_gradient(n, np.log(y)),
                (2, 1),
            )
            grad[k] = float(np.linalg.norm(db)) if db is not None else np.nan
            if db is None:
                net = None  # one message, not 99
        if len(calls.problems) > 12:
            calls.problems.append("… and more; stopped")
            break
    return loss, grad, entropy


def _output_gradient(net: Any, logits: np.ndarray) -> Any:
    net.weights[0] = np.zeros((2, 1))
    net.biases[0] = logits.reshape(2, 1).copy()
    net.forward(np.zeros((1, 1)))
    net.backward(Y_CLASS0.reshape(2, 1).copy())
    return net.db[0]


# -- (4) the entropy connection -------------------------------------------------------------------

CONNECTION_Z = np.linspace(-6, 6, 241)


def connection_curves(module: Any, calls: Calls) -> list[np.ndarray | None]:
    """sigmoid(z), sigmoid_derivative(z) and binary_entropy(sigmoid(z)) / ln 2 at
    CONNECTION_Z: on one axis, all three peak (or cross ½) at z = 0."""
    z = CONNECTION_Z
    s = calls.array("sigmoid(z)", lambda: module.sigmoid(z.copy()), z.shape)
    ds = calls.array("sigmoid_derivative(z)", lambda: module.sigmoid_derivative(z.copy()), z.shape)
    h = None
    if s is not None:
        h = calls.array(
            "binary_entropy(sigmoid(z))", lambda: module.binary_entropy(s.copy()), z.shape
        )
    return [s, ds, None if h is None else h / np.log(2)]


# -- (5) gradient error per layer -----------------------------------------------------------------

#: A net whose weights past the first are square, so that a W used for Wᵀ runs (and shows as
#: a mirrored pattern) instead of failing on a shape.
GRADIENT_LAYERS = [6, 8, 8, 8]
GRADIENT_BATCH = 4


@dataclass
class ParameterError:
    """|analytic − numeric| for every entry of one parameter's gradient (``dW[i]`` or
    ``db[i]``), and the kit's tolerance for it; ``error`` is None when either gradient could
    not be computed."""

    kind: str  # "dW" or "db"
    layer: int
    shape: tuple[int, ...]
    error: np.ndarray | None
    tolerance: float

    @property
    def name(self) -> str:
        return f"{self.kind}[{self.layer}]"


def parameter_errors(calls: Calls, seed: int = 0) -> list[tuple[ParameterError, ParameterError]]:
    """(dW[i], db[i]) for every layer i of one network of the implementation under test, the
    numeric gradient being central differences of its own loss (``nh`` calls it)."""
    case = well_conditioned_case(GRADIENT_LAYERS, GRADIENT_BATCH, np.random.default_rng([seed, 5]))
    analytic = calls.value(
        "forward(X), backward(Y), then dW, db", lambda: nh.gradients(nh.build(case), case)
    )
    numeric = calls.value(
        "central differences of cross_entropy_loss(forward(X), Y)",
        lambda: nh.numeric_gradients(case),
    )
    layers = []
    for i in range(len(case.weights)):
        pair = []
        for k, (kind, params) in enumerate((("dW", case.weights), ("db", case.biases))):
            error, tolerance = None, math.nan
            if analytic is not None and numeric is not None:
                got, expected = analytic[k][i], numeric[k][i]
                error = np.abs(got - expected)
                tolerance = FD_ATOL + FD_RTOL * float(np.max(np.abs(expected)))
            pair.append(ParameterError(kind, i, params[i].shape, error, tolerance))
        layers.append((pair[0], pair[1]))
    return layers
