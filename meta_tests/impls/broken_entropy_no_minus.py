"""entropy forgets the leading minus sign: returns sum(p log p) <= 0."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "information"


def entropy(p):
    p = np.asarray(p, dtype=np.float64)
    return float(np.sum(reference.functions._xlogy(p, p))) + 0.0
