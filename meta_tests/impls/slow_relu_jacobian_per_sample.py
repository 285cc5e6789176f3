"""Correct, but slow where it should not be: backward applies the ReLU derivative as each
sample's diagonal Jacobian, np.diag(relu'(z)), a width × width matrix, so its time grows
with the square of the hidden width. The benchmarks' complexity check calls it out."""

import numpy as np

from reference.functions import *  # noqa: F403  (every function of the contract)
from reference.functions import relu_derivative
from reference.network import NeuralNetwork as _Reference


class NeuralNetwork(_Reference):
    def backward(self, y_true):
        y_true = np.asarray(y_true, dtype=np.float64)
        m = y_true.shape[1]
        dz = (self.activations[-1] - y_true) / m
        self.dW = [None] * len(self.weights)
        self.db = [None] * len(self.weights)
        for i in reversed(range(len(self.weights))):
            self.dW[i] = dz @ self.activations[i].T
            self.db[i] = np.sum(dz, axis=1, keepdims=True)
            if i > 0:
                z = self.z_values[i - 1]
                upstream = self.weights[i].T @ dz
                dz = np.empty_like(upstream)
                for s in range(m):
                    jacobian = np.diag(relu_derivative(z[:, s]))  # (width, width)
                    dz[:, s] = jacobian @ upstream[:, s]
