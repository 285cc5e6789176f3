"""Layer_Dense.backward computes dinputs = np.dot(dvalues, self.weights) without .T: a shape error unless n_inputs == n_neurons, wrong values when they are equal.

The output layer's dinputs feed the hidden layer, so the hidden layer's dweights and dbiases
come out wrong (or its backward raises).
"""

from correct_nnfs import *  # noqa: F401,F403
import correct_nnfs
import numpy as np

# area: gradients
EXPECTED_AREA = "gradients"


class Layer_Dense(correct_nnfs.Layer_Dense):
    # Backward pass
    def backward(self, dvalues):
        # Gradients on parameters
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        # Gradient on values
        self.dinputs = np.dot(dvalues, self.weights)
