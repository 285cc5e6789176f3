"""__init__ builds the hidden biases with list multiplication, [np.zeros((1, h))] * k: with equal hidden
widths every hidden layer shares ONE bias array, so update() moves it once per layer and the layers are tied."""

from rows_base import *  # noqa: F401,F403
import rows_base
import numpy as np

LAYOUT = "rows"
EXPECTED_AREA = "training"


class NeuralNetwork(rows_base.NeuralNetwork):
    def __init__(self, layer_sizes):
        super().__init__(layer_sizes)
        hidden = self.layer_sizes[1:-1]
        if hidden and len(set(hidden)) == 1:  # the usual "k hidden layers of width h" net
            self.biases = [np.zeros((1, hidden[0]))] * len(hidden) + [np.zeros((1, self.layer_sizes[-1]))]
