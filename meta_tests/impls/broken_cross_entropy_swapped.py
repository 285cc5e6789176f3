"""cross_entropy with the roles of p and q swapped: returns -sum q log p."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "information"


def cross_entropy(p, q):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    return float(-np.sum(reference.functions._xlogy(q, p)))
