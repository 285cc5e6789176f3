"""backward appends gradients while looping from the last layer, so dW/db are in reversed layer order."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "gradients"


class NeuralNetwork(reference.NeuralNetwork):
    def backward(self, y_true):
        y_true = np.asarray(y_true, dtype=np.float64)
        m = y_true.shape[1]
        dz = (self.activations[-1] - y_true) / m
        self.dW = []
        self.db = []
        for i in reversed(range(len(self.weights))):
            self.dW.append(dz @ self.activations[i].T)
            self.db.append(np.sum(dz, axis=1, keepdims=True))
            if i > 0:
                dz = (self.weights[i].T @ dz) * reference.relu_derivative(self.z_values[i - 1])
