"""update scales the step by lr twice (W -= lr * (lr * dW)), i.e. an effective rate of lr**2."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def update(self, learning_rate):
        for W, b, dW, db in zip(self.weights, self.biases, self.dW, self.db):
            W -= learning_rate * (learning_rate * dW)
            b -= learning_rate * (learning_rate * db)
