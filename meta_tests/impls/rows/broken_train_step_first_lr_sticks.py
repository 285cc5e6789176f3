"""train_step remembers the learning rate of its first call and ignores later ones."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def train_step(self, X, y, learning_rate):
        if not hasattr(self, "learning_rate"):
            self.learning_rate = learning_rate
        loss = self.cross_entropy_loss(self.forward(X), y)
        self.backward(y)
        self.update(self.learning_rate)
        return loss
