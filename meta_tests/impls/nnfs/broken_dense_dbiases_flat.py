"""Layer_Dense.backward sums dbiases without keepdims=True: shape (n_neurons,) instead of the biases' (1, n_neurons)."""

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
        self.dbiases = np.sum(dvalues, axis=0)
        # Gradient on values
        self.dinputs = np.dot(dvalues, self.weights.T)
