"""A correct implementation in plain-Python-loop style, in the row layout.

Style: every elementwise function walks the flattened input one Python float at a time with
the ``math`` module (NumPy only holds the arrays and restores the shape); softmax loops over
rows (one sample per row, the last axis) and sums with ``math.fsum``; the information
measures loop over entries; ``numerical_gradient`` walks ``np.ndindex``. The network is
written the way the row layout is taught (z = a @ W + b): X is (n_samples, n_features),
weights[i] is (n_in, n_out) and biases[i] is (1, n_out). It loops over layers (``@`` for the
matrix products) and its backward pass loops over *samples*, accumulating each sample's
outer product a_prevᵀ·delta and delta row, and dividing by m at the end. ``update`` rebinds
new arrays instead of subtracting in place. Written independently of the repository's
reference.
"""

from __future__ import annotations

import math

import numpy as np

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


# --------------------------------------------------------------------------- helpers


def _elementwise(scalar_fn, z):
    """Apply a float -> float function to every entry; a new float64 array of z's shape."""
    arr = np.asarray(z, dtype=np.float64)
    values = [scalar_fn(v) for v in arr.ravel().tolist()]
    return np.array(values, dtype=np.float64).reshape(arr.shape)


def _sigmoid1(x):
    # Exponentiate only -|x| (never overflows); math.exp of a huge negative number is 0.0.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _sigmoid_prime1(x):
    # σ(x)σ(-x) = e / (1 + e)^2 with e = exp(-|x|): no cancellation, no overflow.
    e = math.exp(-abs(x))
    return e / ((1.0 + e) * (1.0 + e))


def _relu1(x):
    return x if x > 0.0 else 0.0


def _relu_prime1(x):
    return 1.0 if x > 0.0 else 0.0


def _tanh_prime1(x):
    # sech^2(x) = 4e / (1 + e)^2 with e = exp(-2|x|); 2|x| may be inf, exp(-inf) = 0.
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


# --------------------------------------------------------------------------- activations


def sigmoid(z):
    """Logistic sigmoid, elementwise, any shape."""
    return _elementwise(_sigmoid1, z)


def sigmoid_derivative(z):
    """σ'(z) at the pre-activation z, elementwise."""
    return _elementwise(_sigmoid_prime1, z)


def relu(z):
    """max(0, z), elementwise."""
    return _elementwise(_relu1, z)


def relu_derivative(z):
    """1 where z > 0, else 0 (including z == 0)."""
    return _elementwise(_relu_prime1, z)


def tanh(z):
    """Hyperbolic tangent, elementwise."""
    return _elementwise(math.tanh, z)


def tanh_derivative(z):
    """1 - tanh(z)^2, computed without cancellation."""
    return _elementwise(_tanh_prime1, z)


def _softmax_row(values):
    top = max(values)
    # v - top is <= 0 (possibly -inf for rows spanning ±1e308); exp never overflows.
    exps = [math.exp(v - top) for v in values]
    total = math.fsum(exps)
    return [e / total for e in exps]


def softmax(z):
    """Softmax over the last axis (one sample per row); a 1-D input is one distribution."""
    arr = np.asarray(z, dtype=np.float64)
    if arr.ndim == 0 or arr.shape[-1] == 0 or arr.size == 0:
        return np.ones_like(arr) if arr.ndim == 0 else np.array(arr, dtype=np.float64)
    n = arr.shape[-1]
    rows = arr.reshape(-1, n)
    out = np.empty(rows.shape, dtype=np.float64)
    for i in range(rows.shape[0]):
        row = _softmax_row(rows[i].tolist())
        for k in range(n):
            out[i, k] = row[k]
    return out.reshape(arr.shape)


# --------------------------------------------------------------------------- numerical gradient


def numerical_gradient(f, x, eps=1e-5):
    """Central differences of scalar f at x (any shape); x itself is not modified."""
    point = np.array(x, dtype=np.float64)  # private copy
    grad = np.zeros(point.shape, dtype=np.float64)
    for idx in np.ndindex(*point.shape):
        saved = float(point[idx])
        point[idx] = saved + eps
        upper = float(f(point.copy()))
        point[idx] = saved - eps
        lower = float(f(point.copy()))
        point[idx] = saved
        grad[idx] = (upper - lower) / (2.0 * eps)
    return grad


# --------------------------------------------------------------------------- information


def _floats(v):
    return np.asarray(v, dtype=np.float64).ravel().tolist()


def _p_log_q(p_i, q_i):
    """p·log q with 0·log(anything) = 0 and p·log 0 = -inf for p > 0."""
    if p_i == 0.0:
        return 0.0
    if q_i == 0.0:
        return -math.inf
    if not q_i > 0.0:  # negative or NaN: not a probability; NaN like NumPy would give
        return math.nan
    return p_i * math.log(q_i)


def entropy(p):
    """H(p) = -Σ p log p in nats."""
    terms = [_p_log_q(pi, pi) for pi in _floats(p)]
    return 0.0 - math.fsum(terms)


def cross_entropy(p, q):
    """H(p, q) = -Σ p log q in nats."""
    terms = [_p_log_q(pi, qi) for pi, qi in zip(_floats(p), _floats(q), strict=True)]
    if any(t == -math.inf for t in terms):
        return math.inf
    return 0.0 - math.fsum(terms)


def kl_divergence(p, q):
    """D_KL(p‖q) = Σ p (log p - log q) in nats."""
    terms = []
    for pi, qi in zip(_floats(p), _floats(q), strict=True):
        if pi == 0.0:
            continue
        if qi == 0.0:
            return math.inf
        if not (pi > 0.0 and qi > 0.0):
            return math.nan
        # log p - log q rather than log(p/q): p/q may overflow when q is subnormal.
        terms.append(pi * math.log(pi))
        terms.append(-pi * math.log(qi))
    return math.fsum(terms)


def _binary_entropy1(x):
    return 0.0 - _p_log_q(x, x) - _p_log_q(1.0 - x, 1.0 - x)


def binary_entropy(p):
    """-p log p - (1-p) log(1-p), elementwise, in nats; 0 at p in {0, 1}."""
    return _elementwise(_binary_entropy1, p)


# --------------------------------------------------------------------------- network


class NeuralNetwork:
    """ReLU hidden layers, softmax output, mean cross-entropy; loops over layers and samples.

    Row layout: one sample per row, z = a @ W + b with W (n_in, n_out) and b (1, n_out).
    """

    def __init__(self, layer_sizes):
        self.layer_sizes = [int(n) for n in layer_sizes]
        self.weights = []
        self.biases = []
        for k in range(len(self.layer_sizes) - 1):
            fan_in = self.layer_sizes[k]
            fan_out = self.layer_sizes[k + 1]
            std = math.sqrt(2.0 / fan_in)
            self.weights.append(np.random.standard_normal((fan_in, fan_out)) * std)
            self.biases.append(np.zeros((1, fan_out)))
        self.dW = []
        self.db = []

    def forward(self, X):
        a = np.asarray(X, dtype=np.float64)  # (m, n_features)
        self._inputs = [a]  # input of each layer
        self._pre = []  # pre-activation of each layer
        n_layers = len(self.weights)
        for k in range(n_layers):
            W = np.asarray(self.weights[k], dtype=np.float64)
            b = np.asarray(self.biases[k], dtype=np.float64)
            z = a @ W + b  # (m, n_out)
            self._pre.append(z)
            if k == n_layers - 1:
                a = softmax(z)
            else:
                a = relu(z)
            self._inputs.append(a)
        self._output = a
        return a

    def cross_entropy_loss(self, y_pred, y_true):
        probs = np.asarray(y_pred, dtype=np.float64)
        labels = np.asarray(y_true, dtype=np.float64)
        m = labels.shape[0]
        floor = 5e-324  # smallest subnormal: keeps log finite when a probability underflowed
        total = []
        for i in range(m):
            for k in range(labels.shape[1]):
                y = float(labels[i, k])
                if y != 0.0:
                    total.append(-y * math.log(max(float(probs[i, k]), floor)))
        return math.fsum(total) / m

    def backward(self, y_true):
        labels = np.asarray(y_true, dtype=np.float64)
        m = labels.shape[0]
        n_layers = len(self.weights)
        weights = [np.asarray(W, dtype=np.float64) for W in self.weights]
        grad_W = [np.zeros(W.shape) for W in weights]
        grad_b = [np.zeros((1, W.shape[1])) for W in weights]
        for i in range(m):
            # Sample i's error at the output, a (1, n_classes) row: p - y.
            delta = self._output[i : i + 1, :] - labels[i : i + 1, :]
            for k in range(n_layers - 1, -1, -1):
                a_prev = self._inputs[k][i : i + 1, :]  # (1, n_in)
                grad_W[k] += a_prev.T @ delta  # (n_in, 1) @ (1, n_out)
                grad_b[k] += delta
                if k > 0:
                    mask = relu_derivative(self._pre[k - 1][i : i + 1, :])
                    delta = (delta @ weights[k].T) * mask
        self.dW = [g / m for g in grad_W]
        self.db = [g / m for g in grad_b]

    def update(self, learning_rate):
        for k in range(len(self.weights)):
            self.weights[k] = self.weights[k] - learning_rate * self.dW[k]
            self.biases[k] = self.biases[k] - learning_rate * self.db[k]

    def train_step(self, X, y, learning_rate):
        probs = self.forward(X)
        loss = self.cross_entropy_loss(probs, y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        probs = self.forward(X)
        m, n_classes = probs.shape
        labels = np.zeros(m, dtype=np.int64)
        for i in range(m):
            best = 0
            for k in range(1, n_classes):
                if probs[i, k] > probs[i, best]:
                    best = k
            labels[i] = best
        return labels
