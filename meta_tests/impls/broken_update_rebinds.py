"""update writes W = W - lr*dW, which rebinds the loop variable and leaves the network's arrays unchanged."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"


class NeuralNetwork(reference.NeuralNetwork):
    def update(self, learning_rate):
        for W, b, dW, db in zip(self.weights, self.biases, self.dW, self.db):
            W = W - learning_rate * dW
            b = b - learning_rate * db
