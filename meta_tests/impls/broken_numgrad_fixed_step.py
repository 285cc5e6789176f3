"""numerical_gradient ignores its eps argument and always uses a coarse step h = 1e-2 (O(h^2) ~ 1e-5 error)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "numerical_gradient"


def numerical_gradient(f, x, eps=1e-5):
    h = 1e-2  # "eps is too small, it's noisy" -- the argument is silently ignored
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + h
        f_plus = f(x.copy())
        x[i] = original - h
        f_minus = f(x.copy())
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
