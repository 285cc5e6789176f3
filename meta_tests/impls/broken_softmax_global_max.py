"""softmax shifts by the global max, not per column: a column on a much smaller scale underflows to 0/0 = NaN."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "softmax"


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    exp_z = np.exp(z - np.max(z))
    return exp_z / np.sum(exp_z, axis=0, keepdims=True)
