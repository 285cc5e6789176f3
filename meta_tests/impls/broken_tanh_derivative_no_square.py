"""tanh_derivative returns 1 - tanh(z) (forgot to square tanh)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "activations"


def tanh_derivative(z):
    return 1.0 - np.tanh(np.asarray(z, dtype=np.float64))
