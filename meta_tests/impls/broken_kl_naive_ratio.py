"""kl_divergence as sum(p*log(p/q)) with no 0*log0 handling: NaN when p has a zero entry (e.g. one-hot p)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "information"


def kl_divergence(p, q):
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    return float(np.sum(p * np.log(p / q)))
