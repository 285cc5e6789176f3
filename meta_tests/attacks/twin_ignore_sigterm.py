from _honest import *  # noqa: F403


def tanh(z):
    raise NotImplementedError
