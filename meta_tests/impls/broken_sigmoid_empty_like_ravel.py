"""stable sigmoid fills np.empty_like(z) through out.ravel(): for a Fortran-ordered or
non-contiguous z, ravel() is a copy, so the returned array is uninitialised memory."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "activations"


def sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)  # keeps z's memory layout
    zf, of = z.ravel(), out.ravel()  # of meant to be a view onto out
    pos = zf >= 0
    of[pos] = 1.0 / (1.0 + np.exp(-zf[pos]))
    e = np.exp(zf[~pos])
    of[~pos] = e / (1.0 + e)
    return out
