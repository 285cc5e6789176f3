"""Loss_CategoricalCrossentropy.forward picks sparse-label confidences with y_pred_clipped[:, y_true]: an (n, n) block (every sample's probability of every sample's class) instead of y_pred_clipped[range(samples), y_true].

Only sparse (integer) labels take that branch; one-hot labels give the right loss. The gradients
are right: the combined softmax-loss backward does not use this forward. The book's combined
class builds its loss object in __init__, so that __init__ is repeated unchanged below to build
this module's Loss_CategoricalCrossentropy, as it would in a student's single file.
"""

from correct_nnfs import *  # noqa: F401,F403
import correct_nnfs
import numpy as np

# area: torch_parity
EXPECTED_AREA = "torch_parity"


class Loss_CategoricalCrossentropy(correct_nnfs.Loss_CategoricalCrossentropy):
    # Forward pass
    def forward(self, y_pred, y_true):

        # Number of samples in a batch
        samples = len(y_pred)

        # Clip data to prevent division by 0
        # Clip both sides to not drag mean towards any value
        y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)

        # Probabilities for target values -
        # only if categorical labels
        if len(y_true.shape) == 1:
            correct_confidences = y_pred_clipped[:, y_true]

        # Mask values - only for one-hot encoded labels
        elif len(y_true.shape) == 2:
            correct_confidences = np.sum(y_pred_clipped * y_true, axis=1)

        # Losses
        negative_log_likelihoods = -np.log(correct_confidences)
        return negative_log_likelihoods


class Activation_Softmax_Loss_CategoricalCrossentropy(
    correct_nnfs.Activation_Softmax_Loss_CategoricalCrossentropy
):
    # Creates activation and loss function objects (unchanged)
    def __init__(self):
        self.activation = Activation_Softmax()
        self.loss = Loss_CategoricalCrossentropy()
