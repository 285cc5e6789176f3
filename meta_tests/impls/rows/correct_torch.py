"""A correct implementation backed by PyTorch (float64 tensors, CPU), in the row layout.

Style: every array function converts its input to a float64 ``torch`` tensor, computes with
torch ops and hands back a NumPy float64 array (a copy, never a view of a torch buffer).
The network builds fresh tensors from whatever NumPy arrays are in ``self.weights`` /
``self.biases`` at each ``forward``, keeps the autograd graph, and ``backward`` runs
``torch.autograd.grad`` on the mean cross-entropy written as −Σ y·log_softmax(logits) / m,
storing ``dW`` / ``db`` as NumPy float64 arrays. He initialisation uses torch's generator.
``update`` rebinds new arrays. ``numerical_gradient`` is plain NumPy over a flat view.
The network is torch's own row layout: X (n_samples, n_features), z = X @ W + b with
weights[i] (n_in, n_out) and flat biases[i] (n_out,), as ``nn.Linear`` keeps them, so
db[i] comes back flat; softmax runs over the last dim. Written independently of the
repository's reference.
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import torch

torch.set_num_threads(1)

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

_F64 = torch.float64


def _t(x):
    """A float64 torch tensor holding a private copy of x."""
    return torch.tensor(np.asarray(x, dtype=np.float64), dtype=_F64)


def _np(t):
    """A float64 NumPy array that owns its memory."""
    return np.array(t.detach().cpu().numpy(), dtype=np.float64, copy=True)


# --------------------------------------------------------------------------- activations


def sigmoid(z):
    """σ(z) = 1/(1+e^{-|z|}) for z ≥ 0 and e^{-|z|}/(1+e^{-|z|}) for z < 0 (no overflow)."""
    z = _t(z)
    e = torch.exp(-torch.abs(z))
    return _np(torch.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def sigmoid_derivative(z):
    """σ'(z) = e/(1+e)² with e = e^{-|z|} (σ'(z) is even)."""
    z = _t(z)
    e = torch.exp(-torch.abs(z))
    return _np(e / torch.square(1.0 + e))


def relu(z):
    """max(0, z)."""
    return _np(torch.clamp_min(_t(z), 0.0))


def relu_derivative(z):
    """1 where z > 0 else 0 (0 at z = 0, like torch.relu's backward)."""
    return _np(torch.gt(_t(z), 0.0).to(_F64))


def tanh(z):
    """tanh(z)."""
    return _np(torch.tanh(_t(z)))


def tanh_derivative(z):
    """sech²(z) = 4e/(1+e)² with e = e^{-2|z|}: no cancellation, no overflow."""
    e = torch.exp(-2.0 * torch.abs(_t(z)))
    return _np(4.0 * e / torch.square(1.0 + e))


def softmax(z):
    """torch.softmax along the last dim (each row one sample; 1-D is one distribution).

    torch subtracts each row's maximum first, so no exponent is positive and rows on
    wildly different scales are each handled on their own.
    """
    return _np(torch.softmax(_t(z), dim=-1))


# --------------------------------------------------------------------------- numerical gradient


def numerical_gradient(f, x, eps=1e-5):
    """Central differences over a flat view of a private copy; result shaped like x."""
    work = np.array(x, dtype=np.float64, order="C")  # C order, so reshape(-1) is a view
    flat = work.reshape(-1)  # a view into `work`
    out = np.zeros(flat.shape, dtype=np.float64)
    for k in range(flat.size):
        keep = flat[k]
        flat[k] = keep + eps
        up = f(work.copy())
        flat[k] = keep - eps
        down = f(work.copy())
        flat[k] = keep
        out[k] = (up - down) / (2.0 * eps)
    return out.reshape(work.shape)


# --------------------------------------------------------------------------- information


def _plogq(p, q):
    """p·log q with 0·log(·) = 0, elementwise, as torch.special.xlogy does."""
    return torch.special.xlogy(p, q)


def entropy(p):
    """H(p) = −Σ p log p in nats."""
    p = _t(p)
    return float(-torch.sum(_plogq(p, p))) + 0.0


def cross_entropy(p, q):
    """H(p, q) = −Σ p log q in nats."""
    p, q = _t(p), _t(q)
    return float(-torch.sum(_plogq(p, q)))


def kl_divergence(p, q):
    """D_KL(p‖q) = Σ p log p − Σ p log q in nats."""
    p, q = _t(p), _t(q)
    return float(torch.sum(_plogq(p, p)) - torch.sum(_plogq(p, q)))


def binary_entropy(p):
    """−p log p − (1 − p) log(1 − p), elementwise, in nats."""
    p = _t(p)
    return _np(-(_plogq(p, p) + _plogq(1.0 - p, 1.0 - p)) + 0.0)


# --------------------------------------------------------------------------- network


class NeuralNetwork:
    """MLP on torch autograd; parameters live as NumPy arrays in weights / biases.

    Row layout, as torch code is written: a batch is (m, n_features), z = a @ W + b with
    W (n_in, n_out) and a flat bias b (n_out,) broadcast over the rows.
    """

    def __init__(self, layer_sizes):
        self.layer_sizes = [int(n) for n in layer_sizes]
        self.weights = []
        self.biases = []
        for n_in, n_out in pairwise(self.layer_sizes):
            w = torch.randn(n_in, n_out, dtype=_F64) * math.sqrt(2.0 / n_in)
            self.weights.append(_np(w))
            self.biases.append(np.zeros(n_out, dtype=np.float64))
        self.dW = []
        self.db = []
        self._params = None
        self._logits = None

    def forward(self, X):
        params = []
        a = _t(X)  # (m, n_features)
        n = len(self.weights)
        with torch.enable_grad():
            for i in range(n):
                W = _t(self.weights[i]).requires_grad_(True)
                b = _t(self.biases[i]).requires_grad_(True)
                params.append((W, b))
                z = a @ W + b
                a = torch.relu(z) if i < n - 1 else z
        self._params = params
        self._logits = a  # the output layer's pre-activation (m, n_classes), with its graph
        return _np(torch.softmax(a.detach(), dim=1))

    def cross_entropy_loss(self, y_pred, y_true):
        p = _t(y_pred)
        y = _t(y_true)
        # Floor at the smallest normal float: only a probability that underflowed is touched.
        log_p = torch.log(torch.clamp_min(p, torch.finfo(_F64).tiny))
        return float(-torch.sum(y * log_p) / y.shape[0])

    def _mean_loss(self, y_true):
        y = _t(y_true)
        with torch.enable_grad():
            log_p = torch.log_softmax(self._logits, dim=1)
            return -torch.sum(y * log_p) / y.shape[0]

    def backward(self, y_true):
        loss = self._mean_loss(y_true)
        flat = [t for pair in self._params for t in pair]
        grads = torch.autograd.grad(loss, flat, retain_graph=True)
        # autograd hands back each gradient in its parameter's shape: db is flat like b.
        self.dW = [_np(g) for g in grads[0::2]]
        self.db = [_np(g) for g in grads[1::2]]

    def update(self, learning_rate):
        self.weights = [
            np.asarray(W, dtype=np.float64) - learning_rate * g
            for W, g in zip(self.weights, self.dW, strict=True)
        ]
        self.biases = [
            np.asarray(b, dtype=np.float64) - learning_rate * g
            for b, g in zip(self.biases, self.db, strict=True)
        ]

    def train_step(self, X, y, learning_rate):
        probs = self.forward(X)
        loss = self.cross_entropy_loss(probs, y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        return torch.argmax(_t(self.forward(X)), dim=1).numpy().astype(np.int64)
