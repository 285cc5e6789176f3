"""forward applies ReLU to the output logits before the softmax."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "torch_parity"


class NeuralNetwork(reference.NeuralNetwork):
    def forward(self, X):
        a = np.asarray(X, dtype=np.float64)
        self.activations = [a]
        self.z_values = []
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            z = W @ a + b
            a = reference.softmax(reference.relu(z)) if i == len(self.weights) - 1 else reference.relu(z)
            self.z_values.append(z)
            self.activations.append(a)
        return a
