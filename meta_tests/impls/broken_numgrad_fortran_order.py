"""numerical_gradient perturbs x through x.ravel(), which is a view only for C-ordered arrays:
for a Fortran-ordered or transposed x the perturbation never reaches f (gradient all zeros)."""

from reference import *  # noqa: F401,F403
import reference
import numpy as np

EXPECTED_AREA = "numerical_gradient"


def numerical_gradient(f, x, eps=1e-5):
    x = np.copy(x).astype(np.float64, copy=False)  # private copy (np.copy keeps x's memory layout)
    flat = x.ravel()  # meant as a view onto x
    grad = np.zeros(x.size)
    for i in range(x.size):
        original = flat[i]
        flat[i] = original + eps
        f_plus = f(x.copy())
        flat[i] = original - eps
        f_minus = f(x.copy())
        flat[i] = original
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad.reshape(x.shape)
