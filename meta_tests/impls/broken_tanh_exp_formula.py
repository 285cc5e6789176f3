"""tanh as (e^z - e^-z)/(e^z + e^-z): overflows to inf/inf = NaN at z = +-1000."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "activations"


def tanh(z):
    z = np.asarray(z, dtype=np.float64)
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))
