"""update clips every gradient entry to [-1, 1] before the step (silent gradient clipping)."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def update(self, learning_rate):
        for W, b, dW, db in zip(self.weights, self.biases, self.dW, self.db):
            W -= learning_rate * np.clip(dW, -1.0, 1.0)
            b -= learning_rate * np.clip(db, -1.0, 1.0)
