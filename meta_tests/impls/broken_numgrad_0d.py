"""numerical_gradient views x as x.reshape(x.shape[0], -1) (rows x rest) to loop over it: raises IndexError for a 0-d x."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "numerical_gradient"


def numerical_gradient(f, x, eps=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    rows = x.reshape(x.shape[0], -1)  # (first axis, rest): works for 1-D to N-D
    g = grad.reshape(x.shape[0], -1)
    for r in range(rows.shape[0]):
        for c in range(rows.shape[1]):
            original = rows[r, c]
            rows[r, c] = original + eps
            f_plus = f(x.copy())
            rows[r, c] = original - eps
            f_minus = f(x.copy())
            rows[r, c] = original
            g[r, c] = (f_plus - f_minus) / (2 * eps)
    return grad
