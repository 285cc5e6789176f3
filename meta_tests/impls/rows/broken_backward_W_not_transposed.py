"""backward propagates with W instead of W.T (dz @ self.weights[i]); only runs when layer widths are equal."""

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
            self.db[i] = np.sum(dz, axis=0, keepdims=True)
            if i > 0:
                dz = (dz @ self.weights[i]) * rows_base.relu_derivative(self.z_values[i - 1])
