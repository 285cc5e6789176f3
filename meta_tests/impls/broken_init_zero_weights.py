"""weights initialised to zeros (symmetry never broken; ReLU units stay dead)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"


class NeuralNetwork(reference.NeuralNetwork):
    def __init__(self, layer_sizes, rng=None):
        rng = np.random.default_rng() if rng is None else rng
        self.layer_sizes = list(layer_sizes)
        self.num_layers = len(self.layer_sizes)
        self.weights = []
        self.biases = []
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            self.weights.append(np.zeros((n_out, n_in)))
            self.biases.append(np.zeros((n_out, 1)))
