"""He initialisation drawn from uniform(-sqrt(6/n_in), sqrt(6/n_in)) (He-uniform) instead of N(0, 2/n_in)."""

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
            limit = np.sqrt(6.0 / n_in)
            self.weights.append(rng.uniform(-limit, limit, (n_out, n_in)))
            self.biases.append(np.zeros((n_out, 1)))
