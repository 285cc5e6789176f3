"""backward sums db over axis 1 (units) instead of axis 0 (samples): shape (m, 1), wrong values."""

from conventions_base import *  # noqa: F401,F403
import conventions_base
import numpy as np

LAYOUT = "rows"
LABELS = "integers"
OUTPUT = "logits"
EXPECTED_AREA = "gradients"


class NeuralNetwork(conventions_base.NeuralNetwork):
    def backward(self, y):
        y = np.asarray(y).astype(np.intp)
        m = y.shape[0]
        dz = conventions_base.softmax(self.logits)
        dz[np.arange(m), y] -= 1.0
        dz /= m
        self.dW = [None] * len(self.weights)
        self.db = [None] * len(self.weights)
        for i in reversed(range(len(self.weights))):
            self.dW[i] = self.activations[i].T @ dz
            self.db[i] = np.sum(dz, axis=1, keepdims=True)
            if i > 0:
                dz = (dz @ self.weights[i].T) * conventions_base.relu_derivative(self.z_values[i - 1])
