"""train_step remembers the learning rate of its first call and ignores later ones."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"


class NeuralNetwork(reference.NeuralNetwork):
    def train_step(self, X, y, learning_rate):
        if not hasattr(self, "learning_rate"):
            self.learning_rate = learning_rate
        loss = self.cross_entropy_loss(self.forward(X), y)
        self.backward(y)
        self.update(self.learning_rate)
        return loss
