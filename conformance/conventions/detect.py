"""A row-layout network that did not say so, recognised at start-up (see conventions)."""

from __future__ import annotations

from typing import Any

#: The network built to recognise the layout: no square weight, so every shape tells.
PROBE_LAYERS = [3, 5, 2]


def row_layout(module: Any, name: str, hidden: tuple[int, ...] | None = None) -> str | None:
    """One line, if the module's NeuralNetwork is consistently in the row layout (every
    parameter's shape the transpose of the contract's, a bias maybe flat); else None. A
    network that fails to build says nothing here: the checks will say what is wrong."""
    from conformance.conventions import Conventions
    from conformance.conventions.adapter import supported_layers
    from conformance.helpers import recognisers  # the kit's helpers import the implementation

    probe = supported_layers(Conventions(hidden=hidden), PROBE_LAYERS)  # a depth it builds
    try:
        net = module.NeuralNetwork(list(probe))
        weights, biases = list(net.weights), list(net.biases)
    except Exception:
        return None
    pairs = list(zip(probe, probe[1:]))
    expected = [s for n_in, n_out in pairs for s in ((n_out, n_in), (n_out, 1))]
    shapes = [getattr(p, "shape", None) for pair in zip(weights, biases) for p in pair]
    if len(weights) != len(pairs) or any(not isinstance(s, tuple) for s in shapes):
        return None
    if recognisers.layout(shapes, expected) is None:
        return None
    return (
        f"{name}'s NeuralNetwork is in the row layout (NeuralNetwork({probe}).weights[0] "
        f"is {shapes[0]}, (n_in, n_out)), but the run is in the contract's column layout: run "
        f'again with --layout=rows, or declare LAYOUT = "rows" in the module'
    )
