"""numerical_gradient perturbs the caller's x (np.asarray, no copy) and never restores x[i], leaving it shifted by -eps."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "numerical_gradient"


def numerical_gradient(f, x, eps=1e-5):
    x = np.asarray(x, dtype=np.float64)  # no copy: this is the caller's array
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = f(x.copy())
        x[i] = original - eps
        f_minus = f(x.copy())
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
