"""He init uses the fan-out: std sqrt(2/n_out) instead of sqrt(2/n_in)."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def __init__(self, layer_sizes):
        self.layer_sizes = list(layer_sizes)
        self.weights = []
        self.biases = []
        for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
            self.weights.append(np.random.randn(n_in, n_out) * np.sqrt(2.0 / n_out))
            self.biases.append(np.zeros((1, n_out)))
