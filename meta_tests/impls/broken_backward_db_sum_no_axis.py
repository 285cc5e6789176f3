"""backward sums db without an axis (np.sum(dz, keepdims=True)): one number, shape (1, 1), over units and samples together."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "gradients"


class NeuralNetwork(reference.NeuralNetwork):
    def backward(self, y_true):
        y_true = np.asarray(y_true, dtype=np.float64)
        m = y_true.shape[1]
        dz = (self.activations[-1] - y_true) / m
        self.dW = [np.empty(0)] * len(self.weights)
        self.db = [np.empty(0)] * len(self.weights)
        for i in reversed(range(len(self.weights))):
            self.dW[i] = dz @ self.activations[i].T
            self.db[i] = np.sum(dz, keepdims=True)
            if i > 0:
                dz = (self.weights[i].T @ dz) * reference.relu_derivative(self.z_values[i - 1])
