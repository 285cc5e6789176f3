"""A correct implementation built on SciPy, in the row layout.

Style: activations and information measures lean on ``scipy.special`` (``expit``,
``softmax(axis=-1)``, ``entr``, ``xlogy``, ``rel_entr``, ``log_softmax``); ReLU's derivative is
``np.heaviside(z, 0)``; tanh' is written as 4·σ(2z)·σ(−2z); He initialisation draws from
``scipy.stats.norm``; ``numerical_gradient`` walks an ``np.nditer`` with a multi-index and
divides by the step actually taken; ``train_step`` reports the loss from the log-softmax of
the stored logits, while ``cross_entropy_loss`` (which only sees probabilities) floors them
at 1e-300. ``update`` subtracts in place. The network is written the row-layout way
(X (n_samples, n_features), z = X @ W + b, weights[i] (n_in, n_out), flat biases[i] and
db[i] of shape (n_out,), dW = A_prevᵀ @ dZ, dA_prev = dZ @ Wᵀ). Written independently of
the repository's reference.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from scipy import special, stats

LAYOUT = "rows"

__all__ = [
    "NeuralNetwork",
    "binary_entropy",
    "cross_entropy",
    "entropy",
    "kl_divergence",
    "numerical_gradient",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "tanh",
    "tanh_derivative",
]


def _f64(z):
    return np.asarray(z, dtype=np.float64)


def sigmoid(z):
    """σ(z) via scipy.special.expit.

    expit evaluates 1 / (1 + e^(−z)), which flushes σ(z) to 0 once e^(−z) overflows
    (z < −709.8) although σ(z) ≈ e^z is still a representable subnormal down to z ≈ −745.
    Below z = −40 the two agree to the last bit (1 + e^z rounds to 1), so use e^z there.
    """
    z = _f64(z)
    return np.asarray(
        np.where(z < -40.0, np.exp(np.minimum(z, 0.0)), special.expit(z)), dtype=np.float64
    )


def sigmoid_derivative(z):
    """σ'(z) = σ(z)·σ(−z); σ(−z) is 1 − σ(z) without the cancellation."""
    z = _f64(z)
    return sigmoid(z) * sigmoid(-z)


def relu(z):
    """max(z, 0)."""
    z = _f64(z)
    return np.asarray(np.where(z > 0.0, z, 0.0), dtype=np.float64)


def relu_derivative(z):
    """Heaviside step with H(0) = 0."""
    return np.asarray(np.heaviside(_f64(z), 0.0), dtype=np.float64)


def tanh(z):
    """tanh(z)."""
    return np.asarray(np.tanh(_f64(z)), dtype=np.float64)


def tanh_derivative(z):
    """sech²(z) = 4·σ(2z)·σ(−2z) (tanh(z) = 2σ(2z) − 1), accurate in the tails."""
    z = _f64(z)
    with np.errstate(over="ignore"):  # 2z may be ±inf for |z| > 8.9e307: σ handles it
        two_z = 2.0 * z
    return 4.0 * sigmoid(two_z) * sigmoid(-two_z)


def softmax(z):
    """scipy.special.softmax along the last axis: one sample per row, a 1-D z is one
    distribution (it subtracts each row's maximum first)."""
    z = _f64(z)
    with np.errstate(over="ignore"):  # z − max may be −inf for rows spanning ±1e308
        return np.asarray(special.softmax(z, axis=-1), dtype=np.float64)


def numerical_gradient(f, x, eps=1e-5):
    """Central differences of scalar f at x (any shape); x itself is not modified."""
    point = np.array(x, dtype=np.float64, copy=True)
    grad = np.zeros_like(point)
    with np.nditer(grad, flags=["multi_index", "zerosize_ok"], op_flags=[["writeonly"]]) as it:
        for g in it:
            idx = it.multi_index
            centre = point[idx]
            hi = centre + eps
            lo = centre - eps
            point[idx] = hi
            f_hi = f(point.copy())
            point[idx] = lo
            f_lo = f(point.copy())
            point[idx] = centre
            # hi − lo is the step the two evaluations really saw (2ε up to rounding).
            step = hi - lo
            g[...] = (f_hi - f_lo) / (step if step != 0.0 else 2.0 * eps)
    return grad


def entropy(p):
    """H(p) = Σ entr(p) in nats (entr(0) = 0)."""
    return float(np.sum(special.entr(_f64(p))))


def cross_entropy(p, q):
    """H(p, q) = −Σ xlogy(p, q) in nats (xlogy(0, ·) = 0)."""
    return float(-np.sum(special.xlogy(_f64(p), _f64(q))))


def kl_divergence(p, q):
    """D_KL(p‖q) = Σ rel_entr(p, q) in nats."""
    return float(np.sum(special.rel_entr(_f64(p), _f64(q))))


def binary_entropy(p):
    """entr(p) + entr(1 − p), elementwise, in nats."""
    p = _f64(p)
    return np.asarray(special.entr(p) + special.entr(1.0 - p), dtype=np.float64)


class NeuralNetwork:
    """Input → (Linear → ReLU)* → Linear → softmax; mean cross-entropy; plain SGD.

    Row layout: z = a @ W + b with a (m, n_in), W (n_in, n_out) and a flat bias b (n_out,)
    that broadcasts over the rows, as ``nn.Linear`` keeps it.
    """

    def __init__(self, layer_sizes):
        sizes = [int(s) for s in layer_sizes]
        self.layer_sizes = sizes
        self.weights = [
            stats.norm(loc=0.0, scale=np.sqrt(2.0 / n_in))
            .rvs(size=(n_in, n_out))
            .astype(np.float64)
            .reshape(n_in, n_out)
            for n_in, n_out in pairwise(sizes)
        ]
        self.biases = [np.zeros(n_out, dtype=np.float64) for n_out in sizes[1:]]
        self.dW = []
        self.db = []

    def forward(self, X):
        a = _f64(X)  # (m, n_features)
        self.cache = {"a": [a], "z": []}
        last = len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = a @ _f64(W) + _f64(b)
            self.cache["z"].append(z)
            a = softmax(z) if i == last else relu(z)
            self.cache["a"].append(a)
        return a

    def cross_entropy_loss(self, y_pred, y_true):
        y_pred = _f64(y_pred)
        y_true = _f64(y_true)
        # xlogy(0, ·) = 0; the floor only matters where a true class's probability underflowed.
        log_terms = special.xlogy(y_true, np.maximum(y_pred, 1e-300))
        return float(-np.sum(log_terms) / y_true.shape[0])

    def _loss_from_logits(self, y_true):
        y_true = _f64(y_true)
        log_p = special.log_softmax(self.cache["z"][-1], axis=1)
        return float(-np.sum(y_true * log_p) / y_true.shape[0])

    def backward(self, y_true):
        y_true = _f64(y_true)
        m = y_true.shape[0]
        A, Z = self.cache["a"], self.cache["z"]
        n = len(self.weights)
        self.dW = [None] * n
        self.db = [None] * n
        g = A[-1] - y_true  # Σ_samples ∂loss_j/∂z, before the 1/m of the mean; (m, n_out)
        for i in range(n - 1, -1, -1):
            self.dW[i] = (A[i].T @ g) / m
            self.db[i] = g.sum(axis=0) / m  # flat, like the bias
            if i:
                g = (g @ _f64(self.weights[i]).T) * relu_derivative(Z[i - 1])

    def update(self, learning_rate):
        for params, grads in ((self.weights, self.dW), (self.biases, self.db)):
            for i, grad in enumerate(grads):
                p = params[i]
                if isinstance(p, np.ndarray) and p.dtype == np.float64 and p.flags.writeable:
                    p -= learning_rate * grad
                else:
                    params[i] = _f64(p) - learning_rate * grad

    def train_step(self, X, y, learning_rate):
        self.forward(X)
        loss = self._loss_from_logits(y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)
