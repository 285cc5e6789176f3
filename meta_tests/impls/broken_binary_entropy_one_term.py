"""binary_entropy drops the (1-p) log(1-p) term: returns -p log p, whose maximum is not ln 2 at p = 1/2."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "information"


def binary_entropy(p):
    p = np.asarray(p, dtype=np.float64)
    return 0.0 - reference.functions._xlogy(p, p)
