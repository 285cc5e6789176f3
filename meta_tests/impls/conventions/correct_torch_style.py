"""A correct implementation in the PyTorch learner's style: the row layout, integer class labels
and logits out of forward, all three declared.

Style: the network is a list of ``Linear`` layers, each with its forward (caching its input)
and backward (returning dW, db and the gradient for the layer below), as ``nn.Linear`` does;
the parameters live in the network's ``weights`` and ``biases`` lists (what
``model.parameters()`` would give), the biases flat ``(n_out,)`` like PyTorch's. forward
returns the logits; the loss is ``F.cross_entropy`` written out: logsumexp of each row as
``max + np.log(np.sum(np.exp(z - max)))`` minus the logit of the true class, picked with
``z[np.arange(m), y]``; backward starts from ``softmax(logits) - np.eye(C)[y]``. float64
throughout. The layout-free functions are copied from rows/correct_tutorial_style.py; does not
import the repository's reference.
"""

import numpy as np

LAYOUT = "rows"
LABELS = "integers"
OUTPUT = "logits"

__all__ = [
    "LABELS",
    "LAYOUT",
    "OUTPUT",
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


class Linear:
    """y = x @ W + b for a batch of rows; holds no parameters, only what backward needs."""

    def forward(self, x, W, b):
        self.x = x
        return x @ W + b

    def backward(self, grad_out, W):
        """(dW, db, grad_in) for the upstream gradient grad_out (m, n_out)."""
        dW = self.x.T @ grad_out
        db = grad_out.sum(axis=0)
        grad_in = grad_out @ W.T
        return dW, db, grad_in


class ReLU:
    def forward(self, z):
        self.z = z
        return relu(z)

    def backward(self, grad_out):
        return grad_out * relu_derivative(self.z)


class NeuralNetwork:
    def __init__(self, layer_sizes):
        sizes = [int(n) for n in layer_sizes]
        self.layer_sizes = sizes
        self.weights = [
            np.random.randn(fan_in, fan_out) * np.sqrt(2.0 / fan_in)
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:])
        ]
        self.biases = [np.zeros(fan_out) for fan_out in sizes[1:]]
        self.linears = [Linear() for _ in self.weights]
        self.relus = [ReLU() for _ in self.weights[:-1]]

    def forward(self, X):
        h = np.asarray(X, dtype=np.float64)
        last = len(self.linears) - 1
        for k, linear in enumerate(self.linears):
            h = linear.forward(h, self.weights[k], self.biases[k])
            if k < last:
                h = self.relus[k].forward(h)
        self._logits = h
        return h

    @staticmethod
    def _logsumexp(z):
        top = np.max(z, axis=1)
        with np.errstate(over="ignore"):
            return top + np.log(np.sum(np.exp(z - top[:, None]), axis=1))

    def cross_entropy_loss(self, logits, y):
        z = np.asarray(logits, dtype=np.float64)
        targets = np.asarray(y, dtype=np.int64)
        m = z.shape[0]
        nll = self._logsumexp(z) - z[np.arange(m), targets]
        return float(nll.sum() / m)

    def backward(self, y):
        targets = np.asarray(y, dtype=np.int64)
        m, n_classes = self._logits.shape
        grad = (softmax(self._logits) - np.eye(n_classes)[targets]) / m
        dW = [None] * len(self.linears)
        db = [None] * len(self.linears)
        for k in range(len(self.linears) - 1, -1, -1):
            dW[k], db[k], grad = self.linears[k].backward(grad, self.weights[k])
            if k > 0:
                grad = self.relus[k - 1].backward(grad)
        self.dW, self.db = dW, db

    def update(self, learning_rate):
        # optim.SGD's step: p.sub_(lr * p.grad), in place.
        for p, g in zip(self.weights + self.biases, self.dW + self.db):
            p -= learning_rate * g

    def train_step(self, X, y, learning_rate):
        logits = self.forward(X)
        loss = self.cross_entropy_loss(logits, y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        return self.forward(X).argmax(axis=1)
