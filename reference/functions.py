"""Activations, their derivatives, softmax, a numerical gradient and information measures.

Every function is NumPy only and works elementwise on arrays of any shape unless its
docstring says otherwise. Batches use the column layout: ``(n_features, n_samples)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]


def sigmoid(z: ArrayLike) -> Array:
    """σ(z) = 1 / (1 + e^(-z)), any shape, finite for every finite z."""
    z = np.asarray(z, dtype=np.float64)
    # Only exponentiate non-positive numbers, so e^(-z) never overflows:
    # for z < 0, σ(z) = e^z / (1 + e^z).
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z: ArrayLike) -> Array:
    """σ'(z) = σ(z)(1 − σ(z)), written as σ(z)σ(−z) so the tails keep full precision."""
    z = np.asarray(z, dtype=np.float64)
    return sigmoid(z) * sigmoid(-z)


def relu(z: ArrayLike) -> Array:
    """ReLU(z) = max(0, z)."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)


def relu_derivative(z: ArrayLike) -> Array:
    """ReLU'(z) = 1 if z > 0 else 0; 0 at z = 0, as PyTorch does."""
    return (np.asarray(z) > 0).astype(np.float64)


def tanh(z: ArrayLike) -> Array:
    """tanh(z)."""
    return np.tanh(np.asarray(z, dtype=np.float64))


def tanh_derivative(z: ArrayLike) -> Array:
    """tanh'(z) = 1 − tanh²(z) = sech²(z), computed as 1/cosh² without cancellation."""
    z = np.asarray(z, dtype=np.float64)
    # 1 - tanh(z)**2 loses every digit once tanh(z) rounds to ±1 (|z| > 19);
    # 4e² / (1 + e²)² with e = e^(−|z|) keeps full precision in the tails and never overflows.
    e2 = np.exp(-np.abs(z)) ** 2
    return 4.0 * e2 / (1.0 + e2) ** 2


def softmax(z: ArrayLike) -> Array:
    """Softmax along axis 0: each column of ``(n_classes, n_samples)`` is one sample.

    A 1-D input is one distribution. Shifting each column by its maximum makes every
    exponent ≤ 0, so nothing overflows and the largest entry contributes exactly 1.
    """
    z = np.asarray(z, dtype=np.float64)
    # z − max can only overflow to −inf (logits ±1e308 in one column), whose exp is 0.
    with np.errstate(over="ignore"):
        exp_z = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exp_z / np.sum(exp_z, axis=0, keepdims=True)


def numerical_gradient(f: Callable[[Array], float], x: ArrayLike, eps: float = 1e-5) -> Array:
    """Central differences (f(x + εe_i) − f(x − εe_i)) / 2ε for every entry of ``x``.

    ``x`` may have any shape; the result has the same shape and ``x`` is left unchanged.
    Error: O(ε²) truncation plus O(machine-ε·|f|/ε) rounding.
    """
    x = np.array(x, dtype=np.float64)  # a private copy: the caller's x is never touched
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = f(x.copy())
        x[i] = original - eps
        f_minus = f(x.copy())
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def _xlogy(x: Array, y: Array) -> Array:
    """x·log(y) with 0·log(anything) = 0, the convention that makes H(one-hot) = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(np.where(x == 0, 1.0, y)))


def entropy(p: ArrayLike) -> float:
    """Shannon entropy H(p) = −Σ p log p of a 1-D distribution, in nats."""
    p = np.asarray(p, dtype=np.float64)
    return float(-np.sum(_xlogy(p, p))) + 0.0  # + 0.0 turns −0.0 into 0.0


def cross_entropy(p: ArrayLike, q: ArrayLike) -> float:
    """Cross-entropy H(p, q) = −Σ p log q of 1-D distributions, in nats."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    return float(-np.sum(_xlogy(p, q)))


def kl_divergence(p: ArrayLike, q: ArrayLike) -> float:
    """D_KL(p ‖ q) = Σ p log(p / q) of 1-D distributions, in nats; ≥ 0, = 0 iff p = q."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    # Σ p log p − Σ p log q, not Σ p log(p/q): p/q can overflow where both logs are finite.
    return float(np.sum(_xlogy(p, p)) - np.sum(_xlogy(p, q)))


def binary_entropy(p: ArrayLike) -> Array:
    """H(p) = −p log p − (1 − p) log(1 − p), elementwise, in nats; 0 at p = 0 and p = 1."""
    p = np.asarray(p, dtype=np.float64)
    return 0.0 - _xlogy(p, p) - _xlogy(1.0 - p, 1.0 - p)
