"""numerical_gradient returns a flat vector of length x.size instead of an array shaped like x."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "numerical_gradient"


def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros(x.size)
    for k, i in enumerate(np.ndindex(x.shape)):
        original = x[i]
        x[i] = original + eps
        f_plus = f(x.copy())
        x[i] = original - eps
        f_minus = f(x.copy())
        x[i] = original
        grad[k] = (f_plus - f_minus) / (2 * eps)
    return grad
