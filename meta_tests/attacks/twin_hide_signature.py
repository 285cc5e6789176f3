from _honest import *  # noqa: F403
from _honest import numerical_gradient as _numerical_gradient


def numerical_gradient(f, x):  # no eps: the contract's eps check fails
    return _numerical_gradient(f, x)
