"""Optimizer_SGD.update_params adds the gradient (layer.weights += lr * dweights): gradient ascent, the loss goes up."""

from correct_nnfs import *  # noqa: F401,F403
import correct_nnfs
import numpy as np

# area: training
EXPECTED_AREA = "training"


class Optimizer_SGD(correct_nnfs.Optimizer_SGD):
    # Update parameters
    def update_params(self, layer):
        layer.weights += self.learning_rate * layer.dweights
        layer.biases += self.learning_rate * layer.dbiases
