"""softmax reshapes a 1-D input to a column (n, 1) and returns it that way instead of shape (n,)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "softmax"


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    if z.ndim == 1:
        z = z.reshape(-1, 1)
    exp_z = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exp_z / np.sum(exp_z, axis=0, keepdims=True)
