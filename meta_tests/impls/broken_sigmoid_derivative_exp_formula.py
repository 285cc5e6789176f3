"""sigmoid_derivative as exp(-z)/(1+exp(-z))**2: inf/inf = NaN for large negative z (z=-1000)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "activations"


def sigmoid_derivative(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-z)
    return e / (1.0 + e) ** 2
