"""A correct implementation in a class-heavy, object-oriented style, in the row layout.

Style: each activation is a small class with ``value`` / ``derivative`` static methods and the
module-level names are bound to those methods; the sigmoid is the numerically stable one and
its derivative is the textbook s·(1 − s) with 1 − s computed as σ(−z). The information
measures live on an ``Information`` class. The network is assembled from ``DenseLayer``
objects that hold no parameters of their own (they read the network's ``weights`` /
``biases`` lists by index at call time), a ``SoftmaxCrossEntropy`` head that clips
probabilities at 1e-12 inside the log, and a backward pass that first builds the full list of
deltas and only then turns them into gradients. Every network draws its He initialisation
from its own ``np.random.default_rng(12345)``, so same-shaped networks start identical.
``update`` subtracts in place. The layers follow the row layout (one sample per row):
z = a @ W + b with weights[i] (n_in, n_out) and biases[i] (1, n_out), the softmax runs over
the last axis, dW = aᵀ @ delta and db sums delta over the rows. Written independently of
the repository's reference.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

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

LAYOUT = "rows"

SEED = 12345


def _as_float_array(z):
    return np.array(z, dtype=np.float64, copy=True)


class Sigmoid:
    """σ(z) and σ'(z) = s·(1 − s)."""

    @staticmethod
    def value(z):
        z = _as_float_array(z)
        out = np.empty_like(z)
        pos = z >= 0
        neg = ~pos
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        ez = np.exp(z[neg])  # z < 0 here: no overflow
        out[neg] = ez / (1.0 + ez)
        return out

    @staticmethod
    def derivative(z):
        z = _as_float_array(z)
        s = Sigmoid.value(z)
        one_minus_s = Sigmoid.value(-z)  # 1 − σ(z) = σ(−z), without cancellation
        return s * one_minus_s


class ReLU:
    """max(0, z) and its derivative 1[z > 0]."""

    @staticmethod
    def value(z):
        z = _as_float_array(z)
        z[z < 0] = 0.0
        return z

    @staticmethod
    def derivative(z):
        z = _as_float_array(z)
        return np.greater(z, 0.0).astype(np.float64)


class Tanh:
    """tanh(z) and sech²(z)."""

    @staticmethod
    def value(z):
        return np.tanh(_as_float_array(z))

    @staticmethod
    def derivative(z):
        z = _as_float_array(z)
        # (1/cosh z)²: cosh overflows to inf only for |z| > 710, where sech² is 0 anyway;
        # squaring the reciprocal (not 1/cosh²) keeps 355 < |z| < 372 representable.
        with np.errstate(over="ignore"):
            sech = 1.0 / np.cosh(z)
        return sech * sech


class Softmax:
    """Row-wise softmax (the last axis; a 1-D z is one distribution)."""

    @staticmethod
    def value(z):
        z = _as_float_array(z)
        if z.ndim == 0:
            return np.ones_like(z)
        if z.size == 0:
            return z
        row_max = z.max(axis=-1, keepdims=True)
        with np.errstate(over="ignore"):
            shifted = z - row_max  # ≤ 0; −inf only when a row spans ±1e308
        np.exp(shifted, out=shifted)
        shifted /= shifted.sum(axis=-1, keepdims=True)
        return shifted


class Information:
    """Shannon quantities in nats over 1-D distributions, with 0·log 0 = 0."""

    @staticmethod
    def _plogq(p, q):
        out = np.zeros(np.broadcast(p, q).shape, dtype=np.float64)
        p, q = np.broadcast_arrays(p, q)
        nz = p != 0
        with np.errstate(divide="ignore", invalid="ignore"):
            out[nz] = p[nz] * np.log(q[nz])
        return out

    @classmethod
    def entropy(cls, p):
        p = _as_float_array(p)
        return float(-cls._plogq(p, p).sum()) + 0.0

    @classmethod
    def cross_entropy(cls, p, q):
        p, q = _as_float_array(p), _as_float_array(q)
        return float(-cls._plogq(p, q).sum())

    @classmethod
    def kl_divergence(cls, p, q):
        p, q = _as_float_array(p), _as_float_array(q)
        return float(cls._plogq(p, p).sum() - cls._plogq(p, q).sum())

    @classmethod
    def binary_entropy(cls, p):
        p = _as_float_array(p)
        return 0.0 - (cls._plogq(p, p) + cls._plogq(1.0 - p, 1.0 - p))


class FiniteDifference:
    """Central-difference gradient of a scalar function."""

    def __init__(self, eps=1e-5):
        self.eps = eps

    def __call__(self, f, x):
        base = _as_float_array(x)
        grad = np.zeros_like(base)
        for index in np.ndindex(base.shape):
            plus = base.copy()
            plus[index] += self.eps
            minus = base.copy()
            minus[index] -= self.eps
            grad[index] = (f(plus) - f(minus)) / (2.0 * self.eps)
        return grad


sigmoid = Sigmoid.value
sigmoid_derivative = Sigmoid.derivative
relu = ReLU.value
relu_derivative = ReLU.derivative
tanh = Tanh.value
tanh_derivative = Tanh.derivative
softmax = Softmax.value
entropy = Information.entropy
cross_entropy = Information.cross_entropy
kl_divergence = Information.kl_divergence
binary_entropy = Information.binary_entropy


def numerical_gradient(f, x, eps=1e-5):
    """Central differences of scalar f at x (any shape), x left unchanged."""
    return FiniteDifference(eps)(f, x)


class DenseLayer:
    """z = a W + b for the network's parameters at position ``index`` (read at call time).

    Row layout: a_in is (m, n_in), W is (n_in, n_out), b is (1, n_out).
    """

    def __init__(self, network, index, activation):
        self.network = network
        self.index = index
        self.activation = activation

    @property
    def W(self):
        return np.asarray(self.network.weights[self.index], dtype=np.float64)

    @property
    def b(self):
        return np.asarray(self.network.biases[self.index], dtype=np.float64)

    def __call__(self, a_in):
        z = a_in @ self.W + self.b
        return z, self.activation.value(z)


class SoftmaxCrossEntropy:
    """Mean cross-entropy of softmax outputs against one-hot targets (one sample per row)."""

    CLIP = 1e-12

    def loss(self, y_pred, y_true):
        y_pred = np.asarray(y_pred, dtype=np.float64)
        y_true = np.asarray(y_true, dtype=np.float64)
        m = y_true.shape[0]
        clipped = np.clip(y_pred, self.CLIP, 1.0)
        return float(-np.sum(y_true * np.log(clipped)) / m)

    @staticmethod
    def output_delta(y_pred, y_true):
        """∂(mean loss)/∂z_out = (p − y) / m."""
        return (y_pred - y_true) / y_true.shape[0]


class NeuralNetwork:
    """Input → DenseLayer(ReLU) × (L−1) → DenseLayer(Softmax); mean cross-entropy; SGD."""

    def __init__(self, layer_sizes):
        self.layer_sizes = [int(n) for n in layer_sizes]
        self.rng = np.random.default_rng(SEED)
        self.weights = []
        self.biases = []
        for fan_in, fan_out in pairwise(self.layer_sizes):
            self.weights.append(self.rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out)))
            self.biases.append(np.zeros((1, fan_out)))
        n = len(self.weights)
        self.layers = [DenseLayer(self, i, Softmax if i == n - 1 else ReLU) for i in range(n)]
        self.head = SoftmaxCrossEntropy()
        self.dW = []
        self.db = []

    def forward(self, X):
        a = np.asarray(X, dtype=np.float64)
        self.layer_inputs = []
        self.pre_activations = []
        for layer in self.layers:
            self.layer_inputs.append(a)
            z, a = layer(a)
            self.pre_activations.append(z)
        self.output = a
        return a

    def cross_entropy_loss(self, y_pred, y_true):
        return self.head.loss(y_pred, y_true)

    def backward(self, y_true):
        y_true = np.asarray(y_true, dtype=np.float64)
        n = len(self.layers)
        # 1) every layer's delta = ∂(mean loss)/∂z_i, (m, n_out_i), from the output down
        deltas = [None] * n
        deltas[n - 1] = self.head.output_delta(self.output, y_true)
        for i in range(n - 2, -1, -1):
            back = deltas[i + 1] @ self.layers[i + 1].W.T
            deltas[i] = back * ReLU.derivative(self.pre_activations[i])
        # 2) gradients from the deltas
        self.dW = [self.layer_inputs[i].T @ deltas[i] for i in range(n)]
        self.db = [deltas[i].sum(axis=0, keepdims=True) for i in range(n)]

    def update(self, learning_rate):
        for store, grads in ((self.weights, self.dW), (self.biases, self.db)):
            for i, g in enumerate(grads):
                p = store[i]
                if isinstance(p, np.ndarray) and p.dtype == np.float64 and p.flags.writeable:
                    p -= learning_rate * g
                else:
                    store[i] = np.asarray(p, dtype=np.float64) - learning_rate * g

    def train_step(self, X, y, learning_rate):
        loss = self.cross_entropy_loss(self.forward(X), y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        return self.forward(X).argmax(axis=1)
