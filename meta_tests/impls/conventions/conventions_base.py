"""A clean implementation in the PyTorch learner's conventions: the row layout, integer class
labels and logits out of forward. The base that each broken_*.py beside it re-exports,
replacing one name with a single bug.

Shapes (row layout, m = n_samples):
    X, activations[i]        (m, n_i)
    weights[i], dW[i]        (n_i, n_{i+1})
    biases[i], db[i]         (1, n_{i+1})
    forward(X) (logits)      (m, n_classes)
    y (class indices)        (m,), integers
"""

import numpy as np

from reference.functions import (  # noqa: F401  (layout-free: elementwise or 1-D)
    binary_entropy,
    cross_entropy,
    entropy,
    kl_divergence,
    numerical_gradient,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    tanh,
    tanh_derivative,
)

LAYOUT = "rows"
LABELS = "integers"
OUTPUT = "logits"


def softmax(z):
    """Softmax over the last axis: one sample per row (a 1-D z is one distribution)."""
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(over="ignore"):  # z − max overflows only to −inf, whose exp is 0
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


class NeuralNetwork:
    def __init__(self, layer_sizes):
        self.layer_sizes = list(layer_sizes)
        self.weights = []
        self.biases = []
        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
            self.weights.append(np.random.randn(n_in, n_out) * np.sqrt(2.0 / n_in))
            self.biases.append(np.zeros((1, n_out)))

    def forward(self, X):
        """The logits (m, n_classes): no softmax here, as with nn.Linear + F.cross_entropy."""
        a = np.asarray(X, dtype=np.float64)
        self.activations = [a]
        self.z_values = []
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ W + b
            self.z_values.append(z)
            if i < len(self.weights) - 1:
                a = relu(z)
                self.activations.append(a)
        self.logits = z
        return z

    def cross_entropy_loss(self, logits, y):
        """Mean over samples of logsumexp(z) − z[y], through a stable log-softmax."""
        z = np.asarray(logits, dtype=np.float64)
        y = np.asarray(y).astype(np.intp)
        m = z.shape[0]
        shifted = z - np.max(z, axis=1, keepdims=True)
        with np.errstate(over="ignore"):
            log_sum = np.log(np.sum(np.exp(shifted), axis=1))
        return float(np.mean(log_sum - shifted[np.arange(m), y]))

    def backward(self, y):
        y = np.asarray(y).astype(np.intp)
        m = y.shape[0]
        dz = softmax(self.logits)
        dz[np.arange(m), y] -= 1.0
        dz /= m
        self.dW = [None] * len(self.weights)
        self.db = [None] * len(self.weights)
        for i in reversed(range(len(self.weights))):
            self.dW[i] = self.activations[i].T @ dz
            self.db[i] = np.sum(dz, axis=0, keepdims=True)
            if i > 0:
                dz = (dz @ self.weights[i].T) * relu_derivative(self.z_values[i - 1])

    def update(self, learning_rate):
        for W, b, dW, db in zip(self.weights, self.biases, self.dW, self.db):
            W -= learning_rate * dW
            b -= learning_rate * db

    def train_step(self, X, y, learning_rate):
        loss = self.cross_entropy_loss(self.forward(X), y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)
