"""numerical_gradient without its eps, and a signature that cannot be read: the eps check
used to skip (leaving its area's split) instead of failing."""

from _honest import *  # noqa: F403
from _honest import numerical_gradient as _numerical_gradient


def numerical_gradient(f, x):
    return _numerical_gradient(f, x)


numerical_gradient.__signature__ = "hidden"
