"""backward adds into the previous call's dW, db instead of replacing them (gradients pile up)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"


class NeuralNetwork(reference.NeuralNetwork):
    def backward(self, y_true):
        y_true = np.asarray(y_true, dtype=np.float64)
        m = y_true.shape[1]
        dz = (self.activations[-1] - y_true) / m
        if not hasattr(self, "dW"):
            self.dW = [np.zeros_like(W) for W in self.weights]
            self.db = [np.zeros_like(b) for b in self.biases]
        for i in reversed(range(len(self.weights))):
            self.dW[i] = self.dW[i] + dz @ self.activations[i].T
            self.db[i] = self.db[i] + np.sum(dz, axis=1, keepdims=True)
            if i > 0:
                dz = (self.weights[i].T @ dz) * reference.relu_derivative(self.z_values[i - 1])
