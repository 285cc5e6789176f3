"""forward applies ReLU to the output layer too: the logits it returns (and caches) are relu(z)."""

from conventions_base import *  # noqa: F401,F403
import conventions_base
import numpy as np

LAYOUT = "rows"
LABELS = "integers"
OUTPUT = "logits"
EXPECTED_AREA = "torch_parity"


class NeuralNetwork(conventions_base.NeuralNetwork):
    def forward(self, X):
        a = np.asarray(X, dtype=np.float64)
        self.activations = [a]
        self.z_values = []
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = a @ W + b
            self.z_values.append(z)
            a = conventions_base.relu(z)
            if i < len(self.weights) - 1:
                self.activations.append(a)
        self.logits = a
        return a
