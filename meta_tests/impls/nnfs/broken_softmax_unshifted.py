"""Activation_Softmax.forward exponentiates without subtracting the row max: np.exp overflows to inf for inputs above ~709 and the probabilities become nan.

For moderate inputs the result is the same as the book's. The book's combined class builds its
softmax object in __init__, so that __init__ is repeated unchanged below to build this module's
Activation_Softmax, as it would in a student's single file.
"""

from correct_nnfs import *  # noqa: F401,F403
import correct_nnfs
import numpy as np

# area: softmax
EXPECTED_AREA = "softmax"


class Activation_Softmax(correct_nnfs.Activation_Softmax):
    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs

        # Get unnormalized probabilities
        exp_values = np.exp(inputs)
        # Normalize them for each sample
        probabilities = exp_values / np.sum(exp_values, axis=1, keepdims=True)

        self.output = probabilities


class Activation_Softmax_Loss_CategoricalCrossentropy(
    correct_nnfs.Activation_Softmax_Loss_CategoricalCrossentropy
):
    # Creates activation and loss function objects (unchanged)
    def __init__(self):
        self.activation = Activation_Softmax()
        self.loss = Loss_CategoricalCrossentropy()
