"""numerical_gradient divides the central difference by eps instead of 2*eps (gradient doubled)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "numerical_gradient"


def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = f(x.copy())
        x[i] = original - eps
        f_minus = f(x.copy())
        x[i] = original
        grad[i] = (f_plus - f_minus) / eps
    return grad
