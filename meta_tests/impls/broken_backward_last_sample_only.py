"""backward loops over the samples but assigns (=) each sample's term of dW, db instead of adding (+=): only the last sample's term is left."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "gradients"


class NeuralNetwork(reference.NeuralNetwork):
    def backward(self, y_true):
        y_true = np.asarray(y_true, dtype=np.float64)
        m = y_true.shape[1]
        self.dW = [np.zeros_like(W) for W in self.weights]
        self.db = [np.zeros_like(b) for b in self.biases]
        for j in range(m):
            dz = (self.activations[-1][:, [j]] - y_true[:, [j]]) / m
            for i in reversed(range(len(self.weights))):
                self.dW[i] = dz @ self.activations[i][:, [j]].T
                self.db[i] = dz.copy()
                if i > 0:
                    z = self.z_values[i - 1][:, [j]]
                    dz = (self.weights[i].T @ dz) * reference.relu_derivative(z)
