"""Activation_Softmax_Loss_CategoricalCrossentropy.backward forgets to divide by samples: every gradient is n_samples times too large (right only for a batch of one)."""

from correct_nnfs import *  # noqa: F401,F403
import correct_nnfs
import numpy as np

# area: gradients
EXPECTED_AREA = "gradients"


class Activation_Softmax_Loss_CategoricalCrossentropy(
    correct_nnfs.Activation_Softmax_Loss_CategoricalCrossentropy
):
    # Backward pass
    def backward(self, dvalues, y_true):

        # Number of samples
        samples = len(dvalues)

        # If labels are one-hot encoded,
        # turn them into discrete values
        if len(y_true.shape) == 2:
            y_true = np.argmax(y_true, axis=1)

        # Copy so we can safely modify
        self.dinputs = dvalues.copy()
        # Calculate gradient
        self.dinputs[range(samples), y_true] -= 1
