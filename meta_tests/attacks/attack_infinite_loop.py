"""tanh never returns."""

from _honest import *  # noqa: F403


def tanh(z):
    while True:
        pass
