"""Activation_ReLU.backward masks on self.output < 0, which is never true (ReLU outputs are >= 0): no gradient is ever zeroed, as if ReLU had derivative 1 everywhere."""

from correct_nnfs import *  # noqa: F401,F403
import correct_nnfs
import numpy as np

# area: activations
EXPECTED_AREA = "activations"


class Activation_ReLU(correct_nnfs.Activation_ReLU):
    # Backward pass
    def backward(self, dvalues):
        # Since we need to modify the original variable,
        # let's make a copy of the values first
        self.dinputs = dvalues.copy()

        # Zero gradient where output values were negative
        self.dinputs[self.output < 0] = 0
