"""kl_divergence with its arguments swapped: computes KL(q||p) = sum q log(q/p)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "information"


def kl_divergence(p, q):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    xlogy = reference.functions._xlogy
    return float(np.sum(xlogy(q, q)) - np.sum(xlogy(q, p)))
