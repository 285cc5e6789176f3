"""update rescales each gradient to norm <= 5 before the step (silent gradient-norm clipping)."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def update(self, learning_rate):
        for W, b, dW, db in zip(self.weights, self.biases, self.dW, self.db):
            W -= learning_rate * dW * min(1.0, 5.0 / (np.linalg.norm(dW) + 1e-12))
            b -= learning_rate * db * min(1.0, 5.0 / (np.linalg.norm(db) + 1e-12))
