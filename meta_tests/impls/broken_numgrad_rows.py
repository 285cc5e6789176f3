"""numerical_gradient loops `for i in range(len(x))`: on 2-D x it perturbs whole rows, not single entries."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "numerical_gradient"


def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in range(len(x)):
        x[i] += eps
        f_plus = f(x.copy())
        x[i] -= 2 * eps
        f_minus = f(x.copy())
        x[i] += eps
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
