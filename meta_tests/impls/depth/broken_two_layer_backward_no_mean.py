"""The two-layer network's backward forgets to divide by the batch size m: it must be caught on the depth it supports."""

import numpy as np

from correct_two_layer import *  # noqa: F401,F403
import correct_two_layer

HIDDEN_LAYERS = 1
EXPECTED_AREA = "gradients"


class NeuralNetwork(correct_two_layer.NeuralNetwork):
    def backward(self, y_true):
        super().backward(y_true)
        m = np.shape(y_true)[1]
        self.dW = [dW * m for dW in self.dW]
        self.db = [db * m for db in self.db]
