"""__init__ builds the hidden biases with list multiplication, [np.zeros((h, 1))] * k: with equal hidden
widths every hidden layer shares ONE bias array, so update() moves it once per layer and the layers are tied."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "training"


class NeuralNetwork(reference.NeuralNetwork):
    def __init__(self, layer_sizes, rng=None):
        super().__init__(layer_sizes, rng)
        hidden = self.layer_sizes[1:-1]
        if hidden and len(set(hidden)) == 1:  # the usual "k hidden layers of width h" net
            self.biases = [np.zeros((hidden[0], 1))] * len(hidden) + [np.zeros((self.layer_sizes[-1], 1))]
