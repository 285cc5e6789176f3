"""A correct implementation in a functional / immutable style, in the row layout.

Style: no function ever writes into an array it did not just create.  Activations use
np.piecewise and the textbook formulas σ' = s·(1 − s) and tanh' = 1 − tanh²; softmax is the
"pairwise" form softmax_i = 1 / Σ_j exp(z_j − z_i) over the last axis (no max shift needed:
an overflowing term is +inf and its reciprocal 0); information measures use numpy masked
arrays; numerical_gradient builds the whole batch of perturbed points x ± eps·e_i at once (an
identity basis) and maps f over it; the network's forward caches into a dict, backward is a
fold (functools.reduce) over the layers from the output down, and update rebinds brand-new
arrays into the lists.
The network is in the row layout: one sample per row, z = a @ W + b with weights[i]
(n_in, n_out) and biases[i] (1, n_out), dW = aᵀ @ dz, db = dz summed over the rows.
Self-contained.
"""

from functools import reduce

import numpy as np

LAYOUT = "rows"


def _f64(z):
    return np.asarray(z, dtype=np.float64)


def sigmoid(z):
    z = _f64(z)
    return np.piecewise(
        z,
        [z >= 0, z < 0],
        [lambda t: 1.0 / (1.0 + np.exp(-t)), lambda t: np.exp(t) / (1.0 + np.exp(t))],
    )


def sigmoid_derivative(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z):
    z = _f64(z)
    return np.piecewise(z, [z > 0], [lambda t: t, 0.0])


def relu_derivative(z):
    z = _f64(z)
    return np.piecewise(z, [z > 0], [1.0, 0.0])


def tanh(z):
    return np.tanh(_f64(z))


def tanh_derivative(z):
    return 1.0 - np.square(tanh(z))


def softmax(z):
    z = _f64(z)
    # diffs[..., i, j] = z_j − z_i along the last axis; softmax_i = 1 / Σ_j exp(z_j − z_i)
    with np.errstate(over="ignore", invalid="ignore"):
        diffs = z[..., None, :] - z[..., :, None]
        # inf − inf cannot happen (inputs are finite); overflow of the difference gives ±inf
        total = np.sum(np.exp(diffs), axis=-1)
    return 1.0 / total


def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    n = x.size
    basis = (np.eye(n) * eps).reshape((n,) + x.shape)
    plus = x[None, ...] + basis
    minus = x[None, ...] - basis
    f_plus = np.fromiter((f(v) for v in plus), dtype=np.float64, count=n)
    f_minus = np.fromiter((f(v) for v in minus), dtype=np.float64, count=n)
    return ((f_plus - f_minus) / (2.0 * eps)).reshape(x.shape)


def _plogq(p, q):
    """Σ p·log q over the entries with p > 0 (0·log anything = 0), as a masked sum."""
    pm = np.ma.masked_equal(_f64(p), 0.0)
    qm = np.ma.array(_f64(q), mask=np.ma.getmaskarray(pm))
    with np.errstate(divide="ignore"):
        logs = np.log(qm.filled(1.0))
    return float(np.ma.sum(pm * np.ma.array(logs, mask=np.ma.getmaskarray(pm))) or 0.0)


def entropy(p):
    return 0.0 - _plogq(p, p)


def cross_entropy(p, q):
    return 0.0 - _plogq(p, q)


def kl_divergence(p, q):
    return _plogq(p, p) - _plogq(p, q)


def binary_entropy(p):
    p = _f64(p)

    def term(v):
        vm = np.ma.masked_equal(np.atleast_1d(v), 0.0)
        return np.ma.filled(vm * np.ma.log(vm), 0.0).reshape(v.shape)

    return 0.0 - term(p) - term(1.0 - p)


class NeuralNetwork:
    """Row layout: z = a @ W + b with a (m, n_in), W (n_in, n_out), b (1, n_out)."""

    def __init__(self, layer_sizes):
        sizes = tuple(layer_sizes)
        self.weights = [
            np.random.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
            for n_in, n_out in zip(sizes, sizes[1:])
        ]
        self.biases = [np.zeros((1, n_out)) for n_out in sizes[1:]]

    def forward(self, X):
        params = tuple(zip(self.weights, self.biases))

        def step(cache, idx_wb):
            i, (W, b) = idx_wb
            z = cache[f"a{i}"] @ W + b
            a = softmax(z) if i == len(params) - 1 else relu(z)
            return {**cache, f"z{i + 1}": z, f"a{i + 1}": a, f"W{i + 1}": W}

        self.cache = reduce(step, enumerate(params), {"a0": _f64(X).copy()})
        self.cache["L"] = len(params)
        return self.cache[f"a{len(params)}"]

    def cross_entropy_loss(self, y_pred, y_true):
        y_pred, y_true = _f64(y_pred), _f64(y_true)
        picked = np.ma.masked_equal(y_true, 0.0)
        logs = np.log(np.maximum(y_pred, 1e-300))
        return float(-(picked * logs).sum() / y_true.shape[0])

    def backward(self, y_true):
        c = self.cache
        L = c["L"]
        y_true = _f64(y_true)
        dz_top = (c[f"a{L}"] - y_true) / y_true.shape[0]

        def step(acc, layer):
            dz, grads = acc
            grads = ((c[f"a{layer - 1}"].T @ dz, dz.sum(axis=0, keepdims=True)),) + grads
            if layer == 1:
                return dz, grads
            dz_below = (dz @ c[f"W{layer}"].T) * relu_derivative(c[f"z{layer - 1}"])
            return dz_below, grads

        _, grads = reduce(step, range(L, 0, -1), (dz_top, ()))
        self.dW = [g[0] for g in grads]
        self.db = [g[1] for g in grads]

    def update(self, learning_rate):
        self.weights = [W - learning_rate * g for W, g in zip(self.weights, self.dW)]
        self.biases = [b - learning_rate * g for b, g in zip(self.biases, self.db)]

    def train_step(self, X, y, learning_rate):
        y_pred = self.forward(X)
        loss = self.cross_entropy_loss(y_pred, y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)
