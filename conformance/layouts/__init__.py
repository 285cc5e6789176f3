"""Layouts: the contract's column layout, and the row layout most courses teach.

An implementation says which it uses with ``LAYOUT = "rows"`` in its module, or the run with
``--layout=rows`` (the option wins); nothing is guessed. A row-layout network run as columns
is recognised at start-up and told so in one line (``detect_rows``), not with dozens of shape
failures. ``rows`` presents a row-layout implementation to the checks in the column layout;
``display`` tells its failures back in its own.
"""

from __future__ import annotations

from typing import Any

COLUMNS, ROWS = "columns", "rows"
LAYOUTS = (COLUMNS, ROWS)
#: The module-level name an implementation declares its layout with.
DECLARATION = "LAYOUT"

SHAPES = {
    COLUMNS: "X (n_features, n_samples), weights[i] (n_out, n_in), biases[i] (n_out, 1), "
    "softmax over axis 0",
    ROWS: "X (n_samples, n_features), weights[i] (n_in, n_out), biases[i] (1, n_out) or "
    "(n_out,), softmax over the last axis",
}


class LayoutError(Exception):
    """A declaration the kit cannot follow; the message is one line."""


def declared(module: Any, name: str) -> str | None:
    """The module's LAYOUT, checked; None if it declares none."""
    try:
        value = getattr(module, DECLARATION, None)
    except Exception:  # a proxy whose worker died: the checks will say so
        return None
    if value is None:
        return None
    if not isinstance(value, str) or value not in LAYOUTS:
        raise LayoutError(
            f"{name} declares {DECLARATION} = {value!r:.60}, but the kit knows "
            f"{' and '.join(repr(v) for v in LAYOUTS)}"
        )
    return value


def choose(option: str | None, module: Any, name: str) -> tuple[str, str]:
    """(the layout of the run, where it came from, for the header)."""
    own = declared(module, name)
    if option is not None:
        if own is not None and own != option:
            return option, f"--layout={option}, over {DECLARATION} = {own!r} in {name}"
        return option, f"--layout={option}"
    if own is not None:
        return own, f"{DECLARATION} = {own!r} in {name}"
    return COLUMNS, "the contract's default"


def header(layout: str, source: str) -> str:
    return f"conformance: layout={layout} ({source}): {SHAPES[layout]}"


#: The network built to recognise the layout: no square weight, so every shape tells.
PROBE_LAYERS = [3, 5, 2]


def detect_rows(module: Any, name: str) -> str | None:
    """One line, if the module's NeuralNetwork is consistently in the row layout (every
    parameter's shape the transpose of the contract's, a bias maybe flat); else None. A
    network that fails to build says nothing here: the checks will say what is wrong."""
    from conformance.helpers import recognisers  # the kit's helpers import the implementation

    try:
        net = module.NeuralNetwork(list(PROBE_LAYERS))
        weights, biases = list(net.weights), list(net.biases)
    except Exception:
        return None
    pairs = list(zip(PROBE_LAYERS, PROBE_LAYERS[1:]))
    expected = [s for n_in, n_out in pairs for s in ((n_out, n_in), (n_out, 1))]
    shapes = [getattr(p, "shape", None) for pair in zip(weights, biases) for p in pair]
    if len(weights) != len(pairs) or any(not isinstance(s, tuple) for s in shapes):
        return None
    if recognisers.layout(shapes, expected) is None:
        return None
    return (
        f"{name}'s NeuralNetwork is in the row layout (NeuralNetwork({PROBE_LAYERS}).weights[0] "
        f"is {shapes[0]}, (n_in, n_out)), but the run is in the contract's column layout: run "
        f'again with --layout=rows, or declare LAYOUT = "rows" in the module'
    )
