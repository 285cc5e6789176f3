"""numerical_gradient writes x_plus = x and x_minus = x (aliases, not copies): both evaluations see the same x, gradient 0."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "numerical_gradient"


def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x_plus = x  # meant to be a copy
        x_plus[i] += eps
        x_minus = x  # meant to be a copy
        x_minus[i] -= eps
        grad[i] = (f(x_plus) - f(x_minus)) / (2 * eps)
    return grad
