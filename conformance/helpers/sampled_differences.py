"""Random directions and sampled coordinates of a network's parameters, the implementation's
loss along them, their central differences and tolerances, and what the kit's reference
network knows about the case (ReLU's kinks, the scale of the gradient): the measuring side of
the gradient check of large networks (conformance.helpers.sampled_gradients, which compares
and explains).

Parameters travel as ``Params = (weights, biases)``: lists with one (n_out, n_in) and one
(n_out, 1) array per layer, like ``NeuralNetwork.weights`` and ``.biases``.

The reproduction snippets of the check's failures call these functions as ``sg.NAME``
(sampled_gradients re-exports them), so a renamed one must be renamed there too.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from conformance.helpers import pytest_helpers as ph
from conformance.helpers.numerics import EPS, MIN_PROBABILITY, NetCase, reference_network
from conformance.sandbox.errors import SubmissionDied
from conformance.sandbox.loop_requests import run_loop

Params = tuple[list[np.ndarray], list[np.ndarray]]

#: Random directions per check. An error e in the gradient shows in a direction unless
#: |Z| < tol·√N/‖e‖, Z standard normal. A 1% scale error of [784, 128, 10] has ‖e‖ ≈ 0.08,
#: against tol ≈ 3e-5 and √N ≈ 319: each direction misses it with P(|Z| < 0.12) ≈ 0.1, all 8
#: with ≈ 1e-8 (and the sampled coordinates catch it on their own).
N_DIRECTIONS = 8
#: Random entries of each W[i] and each b[i], besides its first and last.
RANDOM_ENTRIES = 3

#: Step along a unit direction. Each parameter moves by about h/√N ≈ 3e-8 and each hidden
#: pre-activation by about 0.3·h ≈ 3e-6 (measured), far inside KINK_MARGIN.
DIRECTION_STEP = 1e-5
#: 10× the method's error. Rounding: a loss value is off by a few ulp (≤ 3 ulp measured for
#: every correct implementation; 16 allowed) of L ≤ ln(1/MIN_PROBABILITY) ≈ 6.9, so the
#: difference quotient is off by ≤ 16·ε·6.9/h ≈ 2.5e-9. Truncation: h²/6·|L'''| ≈ 2e-11 with
#: |L'''| ≤ 1 along a unit direction (≈ 3e-4 measured).
DIRECTION_ATOL = 10 * 16 * EPS * math.log(1 / MIN_PROBABILITY) / DIRECTION_STEP
#: A loss that guards log with ε ≤ 1e-10, −log(p + ε), scales sample s's term g_s of ∇L by
#: p/(p + ε), i.e. shifts ∇L by Σ_s c_s·g_s with 0 ≤ c_s ≤ ε/MIN_PROBABILITY = 1e-7; by
#: Cauchy–Schwarz that moves uᵀ∇L by at most 1e-7·Σ_s‖g_s‖ for every unit u. The tolerance is
#: DIRECTION_RTOL·Σ_s‖g_s‖ + DIRECTION_ATOL, 10× that bound; Σ_s‖g_s‖ ≈ 3–4·‖∇L‖ here.
DIRECTION_RTOL = 1e-6


# -- parameters and directions ------------------------------------------------------------------


def params_of(case: NetCase) -> Params:
    return list(case.weights), list(case.biases)


def random_direction(layers: Sequence[int], seed: int) -> Params:
    """A signed Gaussian direction, shaped like the parameters of ``layers`` and of unit length
    over all of them jointly; drawn from ``seed`` in the order W0, b0, W1, b1, …"""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(layers, layers[1:]):
        weights.append(rng.standard_normal((n_out, n_in)))
        biases.append(rng.standard_normal((n_out, 1)))
    norm = math.sqrt(dot((weights, biases), (weights, biases)))
    return [W / norm for W in weights], [b / norm for b in biases]


def dot(a: Params, b: Params) -> float:
    """Σ over every layer of ⟨a.W, b.W⟩ + ⟨a.b, b.b⟩."""
    return math.fsum(float(np.vdot(x, y)) for x, y in zip(a[0] + a[1], b[0] + b[1]))


def shifted(theta: Params, u: Params, t: float) -> Params:
    """θ + t·u, new arrays."""
    return [W + t * U for W, U in zip(theta[0], u[0])], [b + t * v for b, v in zip(theta[1], u[1])]


def random_directions(
    case: NetCase, rng: np.random.Generator, h: float, reference: Reference
) -> Iterator[tuple[int, Params, Params, Params]]:
    """(seed, u, θ + hu, θ − hu) for seeds drawn from ``rng``, skipping those whose steps would
    carry a hidden pre-activation across ReLU's kink (Reference.clear_of_kinks)."""
    theta = params_of(case)
    for _ in range(1000):
        seed = int(rng.integers(2**32))
        u = random_direction(case.layers, seed)
        plus, minus = shifted(theta, u, h), shifted(theta, u, -h)
        if reference.clear_of_kinks(plus, minus):
            yield seed, u, plus, minus
    raise RuntimeError(f"kit: too few directions keep {case!r} clear of ReLU's kink")


# -- coordinates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coordinate:
    """One entry of one parameter array: ``kind`` "W" or "b", ``layer`` i, ``index`` (r, c)."""

    kind: str
    layer: int
    index: tuple[int, int]

    @property
    def gradient(self) -> str:
        """Where the implementation reports it, e.g. ``dW[0][37, 400]``."""
        return f"d{self.kind}[{self.layer}][{self.index[0]}, {self.index[1]}]"

    def array(self, params: Params) -> np.ndarray:
        """This coordinate's array (W[i] or b[i]) of ``params``."""
        return params[self.kind == "b"][self.layer]

    def of(self, params: Params) -> float:
        return float(self.array(params)[self.index])

    def shifted(self, theta: Params, t: float) -> Params:
        """θ with this entry moved by t; only its array is new."""
        weights, biases = list(theta[0]), list(theta[1])
        arrays = weights if self.kind == "W" else biases
        arrays[self.layer] = arrays[self.layer].copy()
        arrays[self.layer][self.index] += t
        return weights, biases


def sample_coordinates(
    layers: Sequence[int], rng: np.random.Generator, n_random: int = RANDOM_ENTRIES
) -> list[Coordinate]:
    """Of each W[i] and b[i]: the first and last entries and ``n_random`` distinct random ones
    between them, in order from the output layer back (where a bug enters backward)."""
    coordinates = []
    for i in reversed(range(len(layers) - 1)):
        for kind, shape in (("W", (layers[i + 1], layers[i])), ("b", (layers[i + 1], 1))):
            size = math.prod(shape)
            picked = {0, size - 1}
            inner = size - 2
            if inner > 0:
                drawn = rng.choice(inner, min(n_random, inner), replace=False)
                picked |= {int(k) + 1 for k in drawn}
            for k in sorted(picked):
                r, c = np.unravel_index(k, shape)
                coordinates.append(Coordinate(kind, i, (int(r), int(c))))
    return coordinates


# -- the implementation's loss ------------------------------------------------------------------


def loss_function(net: Any, case: NetCase) -> Loss:
    """θ ↦ net.cross_entropy_loss(net.forward(X), Y) with θ put into ``net`` item by item, as
    nh.build does (copies, so the implementation cannot alias the kit's arrays)."""
    return Loss(net, case)


class Loss:
    """The implementation's loss as a function of its parameters. ``loss(θ)`` is one value;
    ``loss.many(points)`` evaluates many parameter sets as one loop where the submission runs
    (loops.losses_of: in grading mode one request; within it only the arrays not already in
    ``net`` are put in, a coordinate changing one array), and gives for each a function that
    checks its forward output and loss as a single call's are checked and returns the loss (or
    raises what the submission raised there)."""

    def __init__(self, net: Any, case: NetCase):
        self.net, self.case = net, case
        self.shape = (case.layers[-1], case.batch)

    def __call__(self, theta: Params) -> float:
        __tracebackhide__ = True
        return self.many([theta])[0]()

    def many(self, points: Sequence[Params]) -> list[Callable[[], float]]:
        __tracebackhide__ = True
        case = self.case
        values, failure = run_loop("losses_of", self.net, list(points), case.X, case.Y, self.shape)
        if not all(isinstance(item, tuple) and len(item) == 2 for item in values):
            raise SubmissionDied("the submission's process sent an invalid reply to a loop")
        results: list[Callable[[], float]] = [
            functools.partial(self._checked, y, got) for y, got in values
        ]
        if failure is not None:
            results.append(functools.partial(_raise, failure))
        # Reached only past a value refused above, or from a worker that replied short.
        short = SubmissionDied(
            f"the submission's process returned {len(values)} losses for {len(points)} points"
        )
        results += [functools.partial(_raise, short)] * (len(points) - len(results))
        return results

    def _checked(self, y: Any, got: Any) -> float:
        __tracebackhide__ = True
        ph.as_array("net.forward(X)", y, shape=self.shape)  # the loss was given this array
        return ph.as_float("net.cross_entropy_loss(y_pred, Y)", got)


def _raise(err: BaseException) -> float:
    raise err


def central_difference_of_loss(
    loss: Callable[[Params], float], plus: Params, minus: Params, h: float
) -> float:
    """(L(plus) − L(minus)) / 2h: one number, the loss's slope between two parameter sets
    (unlike numerics.central_difference, the gradient of a function of one array, entry by
    entry)."""
    __tracebackhide__ = True
    return (loss(plus) - loss(minus)) / (2 * h)


def directional_difference(
    loss: Callable[[Params], float], case: NetCase, u: Params, h: float
) -> float:
    """(L(θ + hu) − L(θ − hu)) / 2h at the case's parameters θ."""
    theta = params_of(case)
    return central_difference_of_loss(loss, shifted(theta, u, h), shifted(theta, u, -h), h)


def coordinate_difference(
    loss: Callable[[Params], float], case: NetCase, coordinate: Coordinate, h: float
) -> float:
    """(L(θ + h e) − L(θ − h e)) / 2h for the coordinate's unit vector e."""
    theta = params_of(case)
    return central_difference_of_loss(
        loss, coordinate.shifted(theta, h), coordinate.shifted(theta, -h), h
    )


# -- what the kit knows about the case ----------------------------------------------------------


class Reference:
    """The kit's reference network on the case: kinks, tolerance scales and hints, never the
    verdict. One network, given each parameter set in turn (the reference's forward reads its
    lists and writes nothing into the arrays)."""

    def __init__(self, case: NetCase):
        self.case = case
        self.net = reference_network(case.weights, case.biases)
        self.net.forward(case.X)
        self.net.backward(case.Y)
        #: ∇L, shaped as Params.
        self.gradient: Params = (list(self.net.dW), list(self.net.db))
        #: Σ_s‖g_s‖, the sum over samples of the norm of sample s's term g_s = ∇L_s/m of ∇L.
        self.sample_norms = 0.0
        for s in range(case.batch):
            self.net.forward(case.X[:, [s]])
            self.net.backward(case.Y[:, [s]])
            grad_s = (self.net.dW, self.net.db)
            self.sample_norms += math.sqrt(dot(grad_s, grad_s)) / case.batch

    def clear_of_kinks(self, *ends: Params) -> bool:
        """Every hidden pre-activation moves, from θ to each of ``ends``, by less than its
        distance |z(θ)| to ReLU's kink.

        Between θ − hu and θ + hu, with no kink crossed, the first hidden layer's z is affine
        in t and the second's quadratic, whose largest move on [−h, h] is at one end; so for up
        to two hidden layers no pre-activation changes sign anywhere on the segment (deeper
        nets: at the ends, with moves of ~1e-6 against a margin of KINK_MARGIN = 1e-3).
        """
        for weights, biases in ends:
            self.net.weights, self.net.biases = weights, biases
            self.net.forward(self.case.X)
            moved = zip(self.net.z_values[:-1], self.case.hidden_z)
            if any(np.any(np.abs(z - z0) >= np.abs(z0)) for z, z0 in moved):
                return False
        return True
