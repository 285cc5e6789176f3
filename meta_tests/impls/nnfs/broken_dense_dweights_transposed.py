"""Layer_Dense.backward computes dweights = np.dot(dvalues.T, self.inputs): shape (n_neurons, n_inputs), the transpose of the weights."""

from correct_nnfs import *  # noqa: F401,F403
import correct_nnfs
import numpy as np

# area: gradients
EXPECTED_AREA = "gradients"


class Layer_Dense(correct_nnfs.Layer_Dense):
    # Backward pass
    def backward(self, dvalues):
        # Gradients on parameters
        self.dweights = np.dot(dvalues.T, self.inputs)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        # Gradient on values
        self.dinputs = np.dot(dvalues, self.weights.T)
