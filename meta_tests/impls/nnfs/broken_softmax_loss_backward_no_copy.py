"""Activation_Softmax_Loss_CategoricalCrossentropy.backward does not copy dvalues: self.dinputs = dvalues, then -= 1 writes into the array passed in.

The book passes loss_activation.output as dvalues, so backward overwrites the probabilities that
forward set (1 is subtracted from each true-class entry, in place). The gradients themselves come
out right. (Invisible to a caller that passes a copy of the output as dvalues.)
"""

from correct_nnfs import *  # noqa: F401,F403
import correct_nnfs
import numpy as np

# area: training
EXPECTED_AREA = "training"


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

        self.dinputs = dvalues
        # Calculate gradient
        self.dinputs[range(samples), y_true] -= 1
        # Normalize gradient
        self.dinputs = self.dinputs / samples
