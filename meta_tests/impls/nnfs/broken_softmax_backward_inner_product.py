"""Activation_Softmax.backward builds each sample's Jacobian with the inner product
np.dot(single_output.T, single_output), a 1×1 number, instead of the outer product
np.dot(single_output, single_output.T).

The book's training loop uses the combined softmax-loss class for the backward pass, so only
the adapter's layer check of the softmax on its own rejects it.
"""

from correct_nnfs import *  # noqa: F401,F403
import correct_nnfs
import numpy as np

# area: gradients
EXPECTED_AREA = "gradients"


class Activation_Softmax(correct_nnfs.Activation_Softmax):
    def backward(self, dvalues):
        self.dinputs = np.empty_like(dvalues)
        for index, (single_output, single_dvalues) in enumerate(zip(self.output, dvalues)):
            single_output = single_output.reshape(-1, 1)
            jacobian_matrix = np.diagflat(single_output) - np.dot(single_output.T, single_output)
            self.dinputs[index] = np.dot(jacobian_matrix, single_dvalues)
