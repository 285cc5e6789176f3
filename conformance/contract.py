"""The names an implementation module provides, and what each one is.

The suite, the presence table and the README all read this one list.
"""

from __future__ import annotations

FUNCTIONS: dict[str, str] = {
    "sigmoid": "σ(z), elementwise",
    "sigmoid_derivative": "σ'(z) of the pre-activation z, elementwise",
    "relu": "max(0, z), elementwise",
    "relu_derivative": "1 if z > 0 else 0 (0 at z = 0), elementwise",
    "tanh": "tanh(z), elementwise",
    "tanh_derivative": "1 − tanh²(z), elementwise",
    "softmax": "softmax along axis 0 (one sample per column; 1-D = one distribution)",
    "numerical_gradient": "central differences numerical_gradient(f, x, eps=1e-5), any shape",
    "entropy": "H(p) in nats of a 1-D distribution",
    "cross_entropy": "H(p, q) in nats of 1-D distributions",
    "kl_divergence": "D_KL(p ‖ q) in nats of 1-D distributions",
    "binary_entropy": "H(p) of a Bernoulli(p) in nats, elementwise",
}

NETWORK = "NeuralNetwork"

NETWORK_MEMBERS: dict[str, str] = {
    "forward": "forward(X) → probabilities (n_classes, n_samples)",
    "cross_entropy_loss": "cross_entropy_loss(y_pred, y_true) → mean loss (float)",
    "backward": "backward(y_true) sets dW, db",
    "update": "update(lr): one SGD step",
    "train_step": "train_step(X, Y, lr) → loss before the update",
    "predict": "predict(X) → class indices (n_samples,)",
}

NAMES: tuple[str, ...] = (*FUNCTIONS, NETWORK)

#: The areas of the suite: each check carries one of these as its marker.
AREAS: dict[str, str] = {
    "contract": "the implementation defines every name of the contract",
    "activations": "sigmoid, ReLU, tanh and their derivatives",
    "softmax": "softmax: finite, normalised, shift-invariant, stable",
    "information": "entropy, cross-entropy, KL, binary entropy; the entropy connection",
    "numerical_gradient": "the implementation's numerical_gradient",
    "gradients": "network dW, db against finite differences of its own loss",
    "torch_parity": "forward, loss, dW, db against PyTorch (float64)",
    "training": "update, train_step, predict, initialisation, XOR convergence",
}
