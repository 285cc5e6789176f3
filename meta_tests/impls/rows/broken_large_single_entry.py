"""backward counts one interior entry of a large dW twice (its largest, so the bug shows on every case); planted for the scalable check, since only large layers (over 10,000 weights) have it."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "gradients"


class NeuralNetwork(rows_base.NeuralNetwork):
    def backward(self, y_true):
        y_true = np.asarray(y_true, dtype=np.float64)
        m = y_true.shape[0]
        dz = (self.activations[-1] - y_true) / m
        self.dW = [None] * len(self.weights)
        self.db = [None] * len(self.weights)
        for i in reversed(range(len(self.weights))):
            self.dW[i] = self.activations[i].T @ dz
            W = self.weights[i]
            if W.size > 10_000:
                inner = np.abs(self.dW[i][1:-1, 1:-1])
                r, c = np.unravel_index(np.argmax(inner), inner.shape)
                self.dW[i][r + 1, c + 1] *= 2
            self.db[i] = np.sum(dz, axis=0, keepdims=True)
            if i > 0:
                dz = (dz @ self.weights[i].T) * rows_base.relu_derivative(self.z_values[i - 1])
