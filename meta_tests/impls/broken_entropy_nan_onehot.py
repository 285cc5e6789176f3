"""entropy is -sum(p*log p) with no 0*log0 = 0 handling: a one-hot p gives NaN instead of 0."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "information"


def entropy(p):
    p = np.asarray(p, dtype=np.float64)
    return float(-np.sum(p * np.log(p)))
