from _honest import *  # noqa: F403


def sigmoid_derivative(z):
    raise ValueError("lone surrogates: ")
