"""softmax subtracts the column min instead of the max: exp(max - min) overflows for spread-out logits (NaN)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "softmax"


def softmax(z):
    z = np.asarray(z, dtype=np.float64)
    exp_z = np.exp(z - np.min(z, axis=0, keepdims=True))
    return exp_z / np.sum(exp_z, axis=0, keepdims=True)
