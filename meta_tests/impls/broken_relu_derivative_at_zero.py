"""relu_derivative uses z >= 0, so relu_derivative(0) == 1 instead of PyTorch's 0."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "activations"


def relu_derivative(z):
    return (np.asarray(z) >= 0).astype(np.float64)
