"""The kit's own finite differences, its tolerances, and the network cases they run on.

Tolerances are derived from the error of the method, not tuned until things pass:
central differences with step h have truncation error h²/6·|f'''| and rounding error about
ε·|f|/h (ε = 2.2e-16, float64).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reference import NeuralNetwork

EPS = float(np.finfo(np.float64).eps)

#: Elementwise functions whose values lie in [−1, 1]: rounding one result costs ε/2, and any
#: sane formula a few roundings; 8ε absolute covers `s*(1-s)` or `1-tanh(z)**2` where the
#: value is tiny (the exact value is then below their resolution), 1e-12 relative covers a few
#: thousand ulp of formula differences. A wrong formula is off by ≥ 1e-3.
ELEMENTWISE_ATOL = 8 * EPS
ELEMENTWISE_RTOL = 1e-12

#: Information measures of distributions of up to MAX_CLASSES entries: sums of n terms,
#: each rounded at ε·|term|; 1e-12 nats is 0·log 0 = 0 taken at its word. A guard of log of
#: at most 1e-10 gets, on top, the allowance guards.py derives for each input (and a note).
INFO_ATOL = 1e-12
INFO_RTOL = 1e-12

#: The kit's finite-difference step for network parameters, weights O(1): truncation
#: h²/6·|f'''| ≈ 1e-13, rounding ε·|L|/h ≈ 1e-10 for losses O(1).
FD_STEP = 1e-6
#: Numeric vs analytic: entrywise |analytic − numeric| ≤ FD_RTOL · max|numeric of the layer|
#: + FD_ATOL. The method's error is ≈ 1e-10 (above); losses that guard log with ε ≤ 1e-10
#: shift gradients by ≤ ε/p_min ≤ 1e-7 relative (cases keep every p ≥ MIN_PROBABILITY).
#: A 1% scale error, a transposed W or a single wrong entry is off by ≥ 1e-2 relative.
FD_RTOL = 1e-5
FD_ATOL = 1e-9

#: Cases keep hidden pre-activations this far from ReLU's kink at 0: a step of FD_STEP moves
#: any pre-activation by at most FD_STEP·Σ|inputs|·Π‖W‖, far below this margin.
KINK_MARGIN = 1e-3
#: Cases keep every predicted probability at least this large (see FD_RTOL).
MIN_PROBABILITY = 1e-3


def central_difference(f: Callable[[np.ndarray], float], x: np.ndarray, h: float) -> np.ndarray:
    """The kit's oracle: (f(x + h e_i) − f(x − h e_i)) / 2h for every entry; x of any shape.

    ``f`` always receives a fresh array, so an implementation cannot alias or mutate ``x``.
    """
    x = np.array(x, dtype=np.float64)
    return from_stencil([f(p) for p in stencil(x, h)], x.shape, h)


def stencil(x: np.ndarray, h: float) -> list[np.ndarray]:
    """The points central_difference evaluates, in its order: x + h e_i, then x − h e_i, for
    every entry i of x (np.ndindex order), each a fresh float64 array."""
    x = np.array(x, dtype=np.float64)
    points = []
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        points += [xp, xm]
    return points


def from_stencil(values: list[Any], shape: tuple[int, ...], h: float) -> np.ndarray:
    """The central differences (f(x + h e_i) − f(x − h e_i)) / 2h from f's ``values`` at the
    points of stencil(x, h), x of ``shape``."""
    grad = np.empty(shape, dtype=np.float64)
    for k, i in enumerate(np.ndindex(shape)):
        grad[i] = (values[2 * k] - values[2 * k + 1]) / (2 * h)
    return grad


@dataclass
class NetCase:
    """Weights, biases and a batch for a network of ``layers``; the ids read as a call."""

    layers: list[int]
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    X: np.ndarray  # (n_features, m)
    Y: np.ndarray  # one-hot (n_classes, m)
    seed: int = 0
    # Derived from the above by the reference, to keep finite differences well-conditioned.
    hidden_z: list[np.ndarray] = field(init=False, repr=False)
    probabilities: np.ndarray = field(init=False, repr=False)

    def __repr__(self) -> str:
        return f"NetCase(layers={self.layers}, batch={self.X.shape[1]}, seed={self.seed})"

    @property
    def batch(self) -> int:
        return int(self.X.shape[1])

    def __post_init__(self) -> None:
        self.hidden_z, self.probabilities = reference_forward(self.weights, self.biases, self.X)

    def clear_of_kinks(self) -> bool:
        return all(np.min(np.abs(z)) > KINK_MARGIN for z in self.hidden_z)

    def well_conditioned(self) -> bool:
        return self.clear_of_kinks() and float(np.min(self.probabilities)) >= MIN_PROBABILITY


def make_case(layers: Sequence[int], batch: int, seed: int, *, bias_scale: float = 0.5) -> NetCase:
    """A random network and batch from ``seed``: He-scaled weights, non-zero biases (so a
    forgotten bias shows), standard-normal inputs and one-hot labels covering the classes."""
    rng = np.random.default_rng(seed)
    layers = list(layers)
    weights = [rng.standard_normal((o, i)) * np.sqrt(2.0 / i) for i, o in zip(layers, layers[1:])]
    biases = [rng.standard_normal((o, 1)) * bias_scale for o in layers[1:]]
    X = rng.standard_normal((layers[0], batch))
    labels = rng.integers(0, layers[-1], size=batch)
    Y = np.eye(layers[-1])[:, labels]
    return NetCase(layers, weights, biases, X, Y, seed)


def well_conditioned_case(layers: Sequence[int], batch: int, rng: np.random.Generator) -> NetCase:
    """The first well-conditioned case among seeds drawn from ``rng`` (the per-test generator,
    so --impl-seed changes the networks). Nearly every seed qualifies; 1000 tries never fail."""
    for seed in rng.integers(0, 2**32, size=1000):
        case = make_case(layers, batch, int(seed))
        if case.well_conditioned():
            return case
    raise RuntimeError(f"no well-conditioned case for layers={list(layers)}, batch={batch}")


def reference_network(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> NeuralNetwork:
    """The kit's reference network carrying copies of the given parameters."""
    net = NeuralNetwork([weights[0].shape[1], *(W.shape[0] for W in weights)])
    net.weights = [W.copy() for W in weights]
    net.biases = [b.copy() for b in biases]
    return net


@functools.lru_cache(maxsize=8)
def _reference_of(layers: tuple[int, ...]) -> NeuralNetwork:
    # One per architecture, reused: a new one would draw its He initialisation, as many
    # numbers as make_case draws, for every case tried (≈ 30 tries for [784, 256, 256, 10]).
    return NeuralNetwork(list(layers))


def reference_forward(
    weights: Sequence[np.ndarray], biases: Sequence[np.ndarray], X: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    """(hidden pre-activations, output probabilities) of the reference network.

    The reference computes with the arrays in its lists and writes into none of them, so they
    are lent, not copied.
    """
    net = _reference_of((weights[0].shape[1], *(W.shape[0] for W in weights)))
    net.weights, net.biases = list(weights), list(biases)
    try:
        probabilities = net.forward(X)
        return net.z_values[:-1], probabilities
    finally:
        net.weights, net.biases = [], []
