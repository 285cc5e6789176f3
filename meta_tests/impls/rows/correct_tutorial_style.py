"""A correct implementation as close to the backprop tutorial as allowed, in the row layout.

Style: the tutorial rewritten the way CS231n / nnfs write it, one sample per row: short NumPy
one-liners, ``np.random.randn(n_in, n_out)`` (the global generator) for He initialisation,
``np.zeros((1, n_out))`` biases, ``z = np.dot(a, W) + b``, softmax over the last axis,
``dW = (1/m) * a.T @ dz``, ``db = (1/m) * np.sum(dz, axis=0, keepdims=True)``,
``dz = np.dot(dz, W.T) * relu_derivative(z)``, ``self.weights[i] -= lr * self.dW[i]``, and the
tutorial's loss ``-np.sum(y_true * np.log(y_pred + 1e-10)) / m``. Where the tutorial's
one-liners break the contract they are replaced by the stable tutorial variants:
the sigmoid is the two-branch ``np.where`` form rather than ``np.clip(z, -500, 500)``
(σ(−600) ≈ 2.6e-261 is representable, and clipping gives e^−500 ≈ 7e-218: wrong in every
digit), σ' is σ(z)σ(−z), tanh' is ``(1/np.cosh(z))**2`` rather than ``1 - np.tanh(z)**2``,
and the information measures drop the zero entries of p (0·log 0 = 0) instead of adding an
epsilon. Written independently of the repository's reference.
"""

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


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    # Both branches are evaluated; only the stable one is kept, so silence the other's overflow.
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def sigmoid_derivative(z):
    z = np.asarray(z, dtype=float)
    return sigmoid(z) * sigmoid(-z)  # = s * (1 - s) without losing 1 - s to rounding


def relu(z):
    return np.maximum(0, np.asarray(z, dtype=float))


def relu_derivative(z):
    return (np.asarray(z, dtype=float) > 0).astype(float)


def tanh(z):
    return np.tanh(np.asarray(z, dtype=float))


def tanh_derivative(z):
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore"):  # cosh(|z| > 710) = inf, and 1/inf = 0 = sech²(z)
        return (1 / np.cosh(z)) ** 2


def softmax(z):
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore"):
        exp_z = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return exp_z / np.sum(exp_z, axis=-1, keepdims=True)


def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x_plus = x.copy()
        x_plus[idx] += eps
        x_minus = x.copy()
        x_minus[idx] -= eps
        grad[idx] = (f(x_plus) - f(x_minus)) / (2 * eps)
    return grad


def entropy(p):
    p = np.asarray(p, dtype=float)
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


def cross_entropy(p, q):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    mask = p > 0
    with np.errstate(divide="ignore"):
        return float(-np.sum(p[mask] * np.log(q[mask])))


def kl_divergence(p, q):
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    mask = p > 0
    with np.errstate(divide="ignore"):
        return float(np.sum(p[mask] * (np.log(p[mask]) - np.log(q[mask]))))


def binary_entropy(p):
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -(p * np.log(p) + (1 - p) * np.log(1 - p))
    return np.where((p == 0) | (p == 1), 0.0, h)


class NeuralNetwork:
    def __init__(self, layer_sizes):
        self.layer_sizes = layer_sizes
        self.weights = []
        self.biases = []
        for i in range(len(layer_sizes) - 1):
            w = np.random.randn(layer_sizes[i], layer_sizes[i + 1]) * np.sqrt(2.0 / layer_sizes[i])
            b = np.zeros((1, layer_sizes[i + 1]))
            self.weights.append(w)
            self.biases.append(b)

    def forward(self, X):
        self.activations = [np.asarray(X, dtype=float)]
        self.z_values = []
        a = self.activations[0]
        for i in range(len(self.weights) - 1):
            z = np.dot(a, self.weights[i]) + self.biases[i]
            a = relu(z)
            self.z_values.append(z)
            self.activations.append(a)
        z = np.dot(a, self.weights[-1]) + self.biases[-1]
        a = softmax(z)
        self.z_values.append(z)
        self.activations.append(a)
        return a

    def cross_entropy_loss(self, y_pred, y_true):
        y_pred, y_true = np.asarray(y_pred, dtype=float), np.asarray(y_true, dtype=float)
        m = y_true.shape[0]
        return float(-np.sum(y_true * np.log(y_pred + 1e-10)) / m)

    def backward(self, y_true):
        y_true = np.asarray(y_true, dtype=float)
        m = y_true.shape[0]
        self.dW = []
        self.db = []
        dz = self.activations[-1] - y_true
        for i in reversed(range(len(self.weights))):
            dW = (1 / m) * self.activations[i].T @ dz
            db = (1 / m) * np.sum(dz, axis=0, keepdims=True)
            self.dW.insert(0, dW)
            self.db.insert(0, db)
            if i > 0:
                dz = np.dot(dz, self.weights[i].T) * relu_derivative(self.z_values[i - 1])

    def update(self, learning_rate):
        for i in range(len(self.weights)):
            self.weights[i] -= learning_rate * self.dW[i]
            self.biases[i] -= learning_rate * self.db[i]

    def train_step(self, X, y, learning_rate):
        y_pred = self.forward(X)
        loss = self.cross_entropy_loss(y_pred, y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)
