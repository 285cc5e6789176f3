"""Activation_ReLU.backward zeroes the gradient only where self.inputs < 0: at an input of exactly 0 the gradient passes through (ReLU'(0) = 1, unlike the book and PyTorch)."""

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

        # Zero gradient where input values were negative
        self.dinputs[self.inputs < 0] = 0
