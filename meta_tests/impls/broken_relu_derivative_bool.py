"""relu_derivative forgets .astype(float): returns a bool array instead of float64."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "activations"


def relu_derivative(z):
    return np.asarray(z) > 0
