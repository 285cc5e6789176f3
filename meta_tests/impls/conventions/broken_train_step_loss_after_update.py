"""train_step returns the loss computed after the update instead of the loss before it."""

from conventions_base import *  # noqa: F401,F403
import conventions_base
import numpy as np

LAYOUT = "rows"
LABELS = "integers"
OUTPUT = "logits"
EXPECTED_AREA = "training"


class NeuralNetwork(conventions_base.NeuralNetwork):
    def train_step(self, X, y, learning_rate):
        self.forward(X)
        self.backward(y)
        self.update(learning_rate)
        return self.cross_entropy_loss(self.forward(X), y)
