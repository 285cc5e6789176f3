"""numerical_gradient scales the step with |x|: h = eps * max(1, |x_i|), not the eps it is given."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "numerical_gradient"


def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        h = eps * max(1.0, abs(original))
        x[i] = original + h
        f_plus = f(x.copy())
        x[i] = original - h
        f_minus = f(x.copy())
        x[i] = original
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
