"""numerical_gradient uses forward differences (f(x+eps) - f(x))/eps: O(eps) error, not central."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "numerical_gradient"


def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    f_0 = f(x.copy())
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        f_plus = f(x.copy())
        x[i] = original
        grad[i] = (f_plus - f_0) / eps
    return grad
