"""softmax without subtracting the max: exp(1000) overflows and the column becomes NaN."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "softmax"


def softmax(z):
    exp_z = np.exp(np.asarray(z, dtype=np.float64))
    return exp_z / np.sum(exp_z, axis=0, keepdims=True)
