"""He initialisation drawn from uniform(-sqrt(6/n_in), sqrt(6/n_in)) (He-uniform) instead of N(0, 2/n_in)."""

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
            limit = np.sqrt(6.0 / n_in)
            self.weights.append(np.random.uniform(-limit, limit, (n_in, n_out)))
            self.biases.append(np.zeros((1, n_out)))
