"""A multilayer perceptron: ReLU hidden layers, softmax output, mean cross-entropy, SGD.

Shapes (column layout, m = n_samples):
    X, activations[i]        (n_i, m)
    weights[i], dW[i]        (n_{i+1}, n_i)
    biases[i], db[i]         (n_{i+1}, 1)
    forward(X), y_true       (n_classes, m)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.functions import relu, relu_derivative, softmax

Array = NDArray[np.float64]


class NeuralNetwork:
    """Input → (Linear → ReLU) × (L − 1) → Linear → softmax, trained on mean cross-entropy."""

    def __init__(self, layer_sizes: Sequence[int], rng: np.random.Generator | None = None):
        """layer_sizes: [n_features, hidden..., n_classes]; He-initialised weights, zero biases."""
        rng = np.random.default_rng() if rng is None else rng
        self.layer_sizes = list(layer_sizes)
        self.num_layers = len(self.layer_sizes)
        self.weights: list[Array] = []
        self.biases: list[Array] = []
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            # He et al. (2015): Var(W) = 2 / n_in keeps ReLU activations' scale through depth.
            self.weights.append(rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in))
            self.biases.append(np.zeros((n_out, 1)))

    def forward(self, X: ArrayLike) -> Array:
        """X (n_features, m) → class probabilities (n_classes, m); caches z and a for backward."""
        a = np.asarray(X, dtype=np.float64)
        self.activations: list[Array] = [a]
        self.z_values: list[Array] = []
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = W @ a
            z += b  # in place: one (n_out, m) array fewer to allocate and fill
            a = softmax(z) if i == len(self.weights) - 1 else relu(z)
            self.z_values.append(z)
            self.activations.append(a)
        return a

    def cross_entropy_loss(self, y_pred: ArrayLike, y_true: ArrayLike) -> float:
        """Mean over samples of −Σ_k y_true log y_pred; both (n_classes, m)."""
        y_pred = np.asarray(y_pred, dtype=np.float64)
        y_true = np.asarray(y_true, dtype=np.float64)
        # A probability that underflowed to 0 would give log 0 = −inf; the smallest normal
        # float keeps the loss finite (≈ 708 nats) and changes nothing else.
        log_p = np.log(np.maximum(y_pred, np.finfo(np.float64).tiny))
        return float(-np.sum(y_true * log_p) / y_true.shape[1])

    def backward(self, y_true: ArrayLike) -> None:
        """Sets dW[i], db[i]: gradients of the mean loss of the last forward pass."""
        y_true = np.asarray(y_true, dtype=np.float64)
        m = y_true.shape[1]
        # Softmax + cross-entropy: ∂L/∂z = (y_pred − y_true) / m for the mean loss.
        dz = self.activations[-1] - y_true
        dz /= m
        self.dW = [np.empty(0)] * len(self.weights)
        self.db = [np.empty(0)] * len(self.weights)
        for i in reversed(range(len(self.weights))):
            a = self.activations[i]
            # ∂z/∂W = aᵀ of the layer below, summed over the samples. One sample makes it an
            # outer product, which BLAS runs several times slower than einsum's plain loop.
            self.dW[i] = dz @ a.T if m > 1 else np.einsum("ik,jk->ij", dz, a)
            self.db[i] = np.sum(dz, axis=1, keepdims=True)  # ∂z/∂b = 1 for every sample
            if i > 0:
                # ∂L/∂a = Wᵀ dz, then through ReLU: ∂a/∂z = 1[z > 0] (in place: no temporary).
                dz = self.weights[i].T @ dz
                dz *= relu_derivative(self.z_values[i - 1])

    def update(self, learning_rate: float) -> None:
        """One SGD step: θ ← θ − lr · ∂L/∂θ, in place."""
        for W, b, dW, db in zip(self.weights, self.biases, self.dW, self.db):
            W -= learning_rate * dW
            b -= learning_rate * db

    def train_step(self, X: ArrayLike, y: ArrayLike, learning_rate: float) -> float:
        """forward, loss, backward, update; returns the loss before the update."""
        loss = self.cross_entropy_loss(self.forward(X), y)
        self.backward(y)
        self.update(learning_rate)
        return loss

    def predict(self, X: ArrayLike) -> NDArray[np.intp]:
        """Class indices, shape (m,)."""
        return np.argmax(self.forward(X), axis=0)
