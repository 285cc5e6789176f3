"""train_step returns the loss recomputed after the update instead of the loss of this step's forward pass."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def train_step(self, X, y, learning_rate):
        self.forward(X)
        self.backward(y)
        self.update(learning_rate)
        return self.cross_entropy_loss(self.forward(X), y)
