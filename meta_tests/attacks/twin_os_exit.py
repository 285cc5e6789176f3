from _honest import *  # noqa: F403


def relu(z):
    raise NotImplementedError
