"""backward propagates through a large square W with W @ dz instead of W.T @ dz, which runs silently; planted for the scalable check, since only large layers (over 10,000 weights) have it."""

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
            self.db[i] = np.sum(dz, axis=1, keepdims=True)
            if i > 0:
                W = self.weights[i]
                back = W @ dz if W.size > 10_000 and W.shape[0] == W.shape[1] else W.T @ dz
                dz = back * reference.relu_derivative(self.z_values[i - 1])
