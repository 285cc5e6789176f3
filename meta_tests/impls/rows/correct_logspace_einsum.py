"""A correct implementation in log-space with np.einsum contractions, in the row layout.

Style: sigmoid is exp(log σ(z)) with log σ(z) = −logaddexp(0, −z); σ'(z) and tanh'(z) are
exponentials of sums of log-sigmoids; tanh(z) = 2σ(2z) − 1 (in log-space); softmax is
exp(log_softmax) with log_softmax = (z − max) − log Σ exp(z − max); information measures are
einsum dot products of p with masked logs; softmax runs over the last axis; the network is in
the row layout end to end (X (samples × features), weights[i] (n_in, n_out), flat biases[i]
and db[i] of shape (n_out,), Z = einsum('mi,io->mo', A, W) + b).  Self-contained.
"""

import numpy as np

LAYOUT = "rows"

LOG2 = np.log(2.0)


def _f64(z):
    return np.array(z, dtype=np.float64)  # a private copy


def _log_sigmoid(z):
    # log σ(z) = −log(1 + e^(−z)) = −logaddexp(0, −z); finite for every finite z (−inf for ±inf)
    return -np.logaddexp(0.0, -z)


def sigmoid(z):
    z = _f64(z)
    return np.exp(_log_sigmoid(z))


def sigmoid_derivative(z):
    z = _f64(z)
    return np.exp(_log_sigmoid(z) + _log_sigmoid(-z))


def relu(z):
    z = _f64(z)
    return np.where(z > 0.0, z, 0.0) * 1.0 + 0.0


def relu_derivative(z):
    z = _f64(z)
    return np.clip(np.sign(z), 0.0, 1.0) + 0.0


def tanh(z):
    z = _f64(z)
    with np.errstate(over="ignore"):
        two_z = 2.0 * z  # may be ±inf for |z| > 9e307; log σ(±inf) is 0 / −inf
    # tanh(z) = 2σ(2z) − 1 = σ(2z) − σ(−2z)
    return np.exp(LOG2 + _log_sigmoid(two_z)) - 1.0


def tanh_derivative(z):
    z = _f64(z)
    with np.errstate(over="ignore"):
        two_z = 2.0 * z
    # sech²(z) = 4 σ(2z) σ(−2z)
    return np.exp(2 * LOG2 + _log_sigmoid(two_z) + _log_sigmoid(-two_z))


def log_softmax(z, axis=-1):
    z = _f64(z)
    m = np.max(z, axis=axis, keepdims=True)
    with np.errstate(over="ignore"):
        shifted = z - m  # ≤ 0; −inf when the spread exceeds the float64 range
    lse = np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return shifted - lse


def softmax(z):
    return np.exp(log_softmax(z, axis=-1))


def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64, order="C")  # C order, so reshape(-1) is a view
    flat = x.reshape(-1)  # view of the private copy
    grad = np.zeros(flat.shape)
    for k in range(flat.size):
        keep = flat[k]
        flat[k] = keep + eps
        fp = float(f(x.copy()))
        flat[k] = keep - eps
        fm = float(f(x.copy()))
        flat[k] = keep
        grad[k] = (fp - fm) / (2.0 * eps)
    return grad.reshape(x.shape)


def _masked_log(v, mask):
    with np.errstate(divide="ignore"):
        return np.where(mask, np.log(np.where(mask, v, 1.0)), 0.0)


def entropy(p):
    p = _f64(p)
    nz = p > 0
    return 0.0 - float(np.einsum("i,i->", np.where(nz, p, 0.0), _masked_log(p, nz)))


def cross_entropy(p, q):
    p, q = _f64(p), _f64(q)
    nz = p > 0
    return 0.0 - float(np.einsum("i,i->", np.where(nz, p, 0.0), _masked_log(q, nz)))


def kl_divergence(p, q):
    p, q = _f64(p), _f64(q)
    nz = p > 0
    return float(np.einsum("i,i->", np.where(nz, p, 0.0), _masked_log(p, nz) - _masked_log(q, nz)))


def binary_entropy(p):
    p = _f64(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
        b = np.where(p < 1, (1.0 - p) * np.log1p(-np.where(p < 1, p, 0.0)), 0.0)
    return 0.0 - a - b


class NeuralNetwork:
    """Row layout throughout: A is (m, n), W is (n_in, n_out), b is flat (n_out,)."""

    def __init__(self, layer_sizes):
        self.layer_sizes = list(layer_sizes)
        rng = np.random.default_rng()
        self.weights = [
            rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
            for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:])
        ]
        self.biases = [np.zeros(n_out) for n_out in self.layer_sizes[1:]]

    def forward(self, X):
        A = _f64(X)  # (m, n_features)
        self._A, self._Z = [A], []
        L = len(self.weights)
        for i in range(L):
            W, b = np.asarray(self.weights[i]), np.asarray(self.biases[i])
            Z = np.einsum("mi,io->mo", A, W) + b
            self._Z.append(Z)
            if i < L - 1:
                A = np.where(Z > 0, Z, 0.0)
            else:
                self._logp = log_softmax(Z, axis=-1)
                A = np.exp(self._logp)
            self._A.append(A)
        self._W = [np.asarray(W) for W in self.weights]
        return A

    def cross_entropy_loss(self, y_pred, y_true):
        P, Y = _f64(y_pred), _f64(y_true)
        m = Y.shape[0]
        nz = Y != 0
        with np.errstate(divide="ignore"):
            logp = np.where(nz, np.log(np.where(nz, np.maximum(P, 1e-300), 1.0)), 0.0)
        return -float(np.einsum("mk,mk->", Y, logp)) / m

    def backward(self, y_true):
        Y = _f64(y_true)  # (m, n_classes)
        m = Y.shape[0]
        dZ = (self._A[-1] - Y) / m
        L = len(self._W)
        dW, db = [None] * L, [None] * L
        for i in range(L - 1, -1, -1):
            dW[i] = np.einsum("mi,mo->io", self._A[i], dZ)
            db[i] = np.einsum("mo->o", dZ)  # flat, like the bias
            if i > 0:
                dA = np.einsum("mo,io->mi", dZ, self._W[i])
                dZ = dA * (self._Z[i - 1] > 0)
        self.dW, self.db = dW, db

    def update(self, learning_rate):
        for i in range(len(self.weights)):
            self.weights[i] -= learning_rate * self.dW[i]
            self.biases[i] -= learning_rate * self.db[i]

    def train_step(self, X, y, learning_rate):
        loss = self.cross_entropy_loss(self.forward(X), y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)
