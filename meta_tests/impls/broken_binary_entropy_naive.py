"""binary_entropy computed naively: 0*log0 gives NaN at p = 0 and p = 1 instead of 0."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "information"


def binary_entropy(p):
    p = np.asarray(p, dtype=np.float64)
    return -p * np.log(p) - (1.0 - p) * np.log(1.0 - p)
