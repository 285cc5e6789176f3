"""relu built with a Python loop over z.flat returns a flat 1-D array for 2-D input."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "activations"


def relu(z):
    return np.array([max(0.0, float(v)) for v in np.asarray(z, dtype=np.float64).flat])
