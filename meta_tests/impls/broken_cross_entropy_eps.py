"""cross_entropy adds a large eps inside the log, -sum p*log(q + 1e-3), biasing every value."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "information"


def cross_entropy(p, q):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    return float(-np.sum(p * np.log(q + 1e-3)))
