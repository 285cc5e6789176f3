"""forward leaves out the bias of the output layer (z = a @ W for the last layer); visible once biases are non-zero."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "torch_parity"


class NeuralNetwork(rows_base.NeuralNetwork):
    def forward(self, X):
        a = np.asarray(X, dtype=np.float64)
        self.activations = [a]
        self.z_values = []
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ W + b if i < len(self.weights) - 1 else a @ W
            a = rows_base.softmax(z) if i == len(self.weights) - 1 else rows_base.relu(z)
            self.z_values.append(z)
            self.activations.append(a)
        return a
