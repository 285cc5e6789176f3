"""backward sums db without keepdims, then reshapes the flat sum into a column, np.sum(dz, axis=0).reshape(-1, 1): db[i] has shape (n_out, 1) instead of the bias's (1, n_out)."""

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
            self.db[i] = np.sum(dz, axis=0).reshape(-1, 1)
            if i > 0:
                dz = (dz @ self.weights[i].T) * rows_base.relu_derivative(self.z_values[i - 1])
