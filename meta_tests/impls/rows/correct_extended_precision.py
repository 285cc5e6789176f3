"""A correct implementation computing in extended precision (long double), in the row layout.

Style: "just use more bits".  Inputs are converted to np.longdouble (80-bit x87 on x86-64:
64-bit mantissa, exponent range to 1e4932), the textbook formulas are used as written
(1/(1+e^−z), s·(1−s), 1 − tanh², e^(z−max)/Σ), and every output is cast back to float64.
The huge exponent range makes the naive sigmoid safe for every finite float64 input.
The network holds float64 parameters (the contract) and computes forward, backward and the SGD
step in long double, in the row layout: one sample per row, z = a @ W + b with weights[i]
(n_in, n_out) and biases[i] (1, n_out), softmax over the last axis, dW = aᵀ @ dz.
Self-contained.
"""

import numpy as np

LAYOUT = "rows"

LD = np.longdouble


def _ld(z):
    return np.array(z, dtype=LD)


def _out(v):
    return np.asarray(v, dtype=LD).astype(np.float64)


def sigmoid(z):
    z = _ld(z)
    with np.errstate(over="ignore"):
        return _out(1 / (1 + np.exp(-z)))


def sigmoid_derivative(z):
    z = _ld(z)
    with np.errstate(over="ignore"):
        s = 1 / (1 + np.exp(-z))
    return _out(s * (1 - s))


def relu(z):
    z = _ld(z)
    return _out(np.maximum(z, LD(0)))


def relu_derivative(z):
    z = _ld(z)
    return _out(z > 0)


def tanh(z):
    return _out(np.tanh(_ld(z)))


def tanh_derivative(z):
    t = np.tanh(_ld(z))
    return _out(1 - t * t)


def _softmax_ld(z, axis=-1):
    m = np.max(z, axis=axis, keepdims=True)
    e = np.exp(z - m)  # z − m never overflows in long double
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax(z):
    return _out(_softmax_ld(_ld(z)))


def numerical_gradient(f, x, eps=1e-5):
    x64 = np.array(x, dtype=np.float64)
    grad = np.zeros(x64.shape, dtype=LD)
    for idx in np.ndindex(x64.shape):
        xp = x64.copy()
        xm = x64.copy()
        xp[idx] = x64[idx] + eps
        xm[idx] = x64[idx] - eps
        grad[idx] = (LD(f(xp)) - LD(f(xm))) / (2 * LD(eps))
    return _out(grad)


def _xlogy(x, y):
    keep = x != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(keep, x * np.log(np.where(keep, y, 1)), LD(0))


def entropy(p):
    p = _ld(p)
    return float(-np.sum(_xlogy(p, p))) + 0.0


def cross_entropy(p, q):
    p, q = _ld(p), _ld(q)
    return float(-np.sum(_xlogy(p, q))) + 0.0


def kl_divergence(p, q):
    p, q = _ld(p), _ld(q)
    return float(np.sum(_xlogy(p, p) - _xlogy(p, q))) + 0.0


def binary_entropy(p):
    p = _ld(p)
    return _out(-(_xlogy(p, p) + _xlogy(1 - p, 1 - p)) + 0)


class NeuralNetwork:
    """Row layout: a (m, n_in) @ W (n_in, n_out) + b (1, n_out), all in long double inside."""

    def __init__(self, layer_sizes):
        self.layer_sizes = list(layer_sizes)
        self.weights = []
        self.biases = []
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            self.weights.append(np.random.randn(n_in, n_out) * np.sqrt(2.0 / n_in))
            self.biases.append(np.zeros((1, n_out)))

    def forward(self, X):
        a = _ld(X)
        self.a = [a]
        self.z = []
        n = len(self.weights)
        for i in range(n):
            z = a @ _ld(self.weights[i]) + _ld(self.biases[i])
            a = _softmax_ld(z, axis=-1) if i == n - 1 else np.maximum(z, LD(0))
            self.z.append(z)
            self.a.append(a)
        self._Ws = [_ld(W) for W in self.weights]
        return _out(a)

    def cross_entropy_loss(self, y_pred, y_true):
        p, y = _ld(y_pred), _ld(y_true)
        with np.errstate(divide="ignore"):
            logp = np.log(np.maximum(p, np.finfo(LD).tiny))
        return float(-np.sum(y * logp) / y.shape[0])

    def backward(self, y_true):
        y = _ld(y_true)
        m = y.shape[0]
        dz = (self.a[-1] - y) / m
        n = len(self._Ws)
        self.dW = [None] * n
        self.db = [None] * n
        for i in reversed(range(n)):
            self.dW[i] = _out(self.a[i].T @ dz)
            self.db[i] = _out(np.sum(dz, axis=0, keepdims=True))
            if i:
                dz = (dz @ self._Ws[i].T) * (self.z[i - 1] > 0)

    def update(self, learning_rate):
        lr = LD(learning_rate)
        for i in range(len(self.weights)):
            self.weights[i] = _out(_ld(self.weights[i]) - lr * _ld(self.dW[i]))
            self.biases[i] = _out(_ld(self.biases[i]) - lr * _ld(self.db[i]))

    def train_step(self, X, y, learning_rate):
        loss = self.cross_entropy_loss(self.forward(X), y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)
