"""sigmoid written as exp(z)/(1+exp(z)): exp overflows, giving inf/inf = NaN for large positive z (z=1000)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "activations"


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    return np.exp(z) / (1.0 + np.exp(z))
