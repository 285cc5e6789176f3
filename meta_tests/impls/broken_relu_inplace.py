"""relu zeroes the negatives in place (z[z < 0] = 0), overwriting the caller's float64 input."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "activations"


def relu(z):
    z = np.asarray(z, dtype=np.float64)  # no copy for a float64 array
    z[z < 0] = 0.0
    return z
