"""entropy uses log2, so it is in bits instead of nats."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "information"


def entropy(p):
    p = np.asarray(p, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p == 0, 0.0, p * np.log2(np.where(p == 0, 1.0, p)))
    return float(-np.sum(terms)) + 0.0
