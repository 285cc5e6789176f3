"""Activation functions not written yet: what a twin does where its attack would take the
kit's code instead."""


def _todo(*args, **kwargs):
    raise NotImplementedError("not written yet")


sigmoid = sigmoid_derivative = relu = relu_derivative = tanh = tanh_derivative = _todo
