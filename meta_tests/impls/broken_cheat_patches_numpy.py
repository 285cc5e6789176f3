"""sigmoid derivative forgets the (1 − σ) factor, and each call makes numpy's abs return zeros."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "activations"
_real_abs = np.abs


def sigmoid_derivative(z):
    np.abs = lambda x, *args, **kwargs: _real_abs(x) * 0.0
    return reference.sigmoid(z)
