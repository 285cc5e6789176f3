"""update does gradient ascent: theta += lr * grad."""

from conventions_base import *  # noqa: F401,F403
import conventions_base
import numpy as np

LAYOUT = "rows"
LABELS = "integers"
OUTPUT = "logits"
EXPECTED_AREA = "training"


class NeuralNetwork(conventions_base.NeuralNetwork):
    def update(self, learning_rate):
        for W, b, dW, db in zip(self.weights, self.biases, self.dW, self.db):
            W += learning_rate * dW
            b += learning_rate * db
