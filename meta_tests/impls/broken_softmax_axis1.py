"""softmax normalises along axis 1 (rows) instead of axis 0 (columns = samples)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "softmax"


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    exp_z = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return exp_z / np.sum(exp_z, axis=-1, keepdims=True)
