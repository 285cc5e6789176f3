"""Which function of the contract a failed check blames, and how the functions depend on
each other.

A check's failing call names what it called (``softmax(z)``, ``net.forward(X);
net.backward(Y)``); an exception raised inside the implementation names the innermost of its
frames that is a contract function or method. The order below is the order a network is
built in: a function's failure can explain the failures of the functions that use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from conformance.contract import FUNCTIONS, NETWORK, NETWORK_MEMBERS

INIT = f"{NETWORK}.__init__"
FORWARD, LOSS, BACKWARD = (f"{NETWORK}.{m}" for m in ("forward", "cross_entropy_loss", "backward"))
UPDATE, TRAIN_STEP, PREDICT = (f"{NETWORK}.{m}" for m in ("update", "train_step", "predict"))
#: An adapted API's layers, checked one by one (checks/test_layers.py).
AFFINE, RELU_LAYER, LOSS_LAYER = "affine layer", "relu layer", "softmax_cross_entropy layer"
SOFTMAX_LAYER, CE_LAYER = "softmax layer", "cross_entropy layer"
LAYERS = (AFFINE, RELU_LAYER, LOSS_LAYER, SOFTMAX_LAYER, CE_LAYER)

#: Rank of each blamed name, from the building blocks up: contract functions (in the
#: contract's order), initialisation, forward, loss, backward, then what uses backward.
RANK: dict[str, float] = {name: 1 + i / 100 for i, name in enumerate(FUNCTIONS)}
RANK |= {INIT: 2, FORWARD: 3, LOSS: 4, BACKWARD: 5, UPDATE: 6, TRAIN_STEP: 6.5, PREDICT: 6.7}
# A network is built of them.
RANK |= {AFFINE: 1.5, RELU_LAYER: 1.51, SOFTMAX_LAYER: 1.52, CE_LAYER: 1.53, LOSS_LAYER: 1.54}

#: What each network method is built on: a failure of one of these, earlier in the run, makes
#: the method's own failures its likely consequences. The module-level functions depend on
#: nothing else (a check that combines several names them all, see ``from_call``).
DEPENDS: dict[str, tuple[str, ...]] = {
    # A derivative is often written with its function (σ' = σ(1 − σ)).
    "sigmoid_derivative": ("sigmoid",),
    "tanh_derivative": ("tanh",),
    # An adapter's relu and relu_derivative are its ReLU layer's forward and backward.
    RELU_LAYER: ("relu", "relu_derivative"),
    FORWARD: (INIT, "relu", "softmax", AFFINE, RELU_LAYER),
    LOSS: (FORWARD, LOSS_LAYER),
    BACKWARD: (FORWARD, LOSS, "relu_derivative", AFFINE, RELU_LAYER, LOSS_LAYER),
    UPDATE: (INIT,),
    TRAIN_STEP: (FORWARD, LOSS, BACKWARD, UPDATE),
    PREDICT: (FORWARD,),
}

#: The lines of a network check's reproduction that build its network (network_helpers).
_SETUP = re.compile(r"^net(\.weights\[:\]|\.biases\[:\])? = ")
_CALLED = re.compile(r"(?<![\w.])(?:(?:bp|np)\.)?(net\.)?(\w+)\s*\(")


def rank(name: str) -> float:
    """Unknown names (the implementation as a whole) come first: nothing works without it."""
    return RANK.get(name, 0.0)


def qualified(name: str, *, method: bool | None = None) -> str | None:
    """The contract name of a function or method name, or None when it is not one."""
    if name == NETWORK:
        return INIT
    if method is not False and name in NETWORK_MEMBERS:
        return f"{NETWORK}.{name}"
    if name == "__init__" and method is not False:
        return INIT
    if method is not True and name in FUNCTIONS:
        return name
    return None


def from_call(call: str) -> list[str]:
    """The contract names a check's reproduction calls, the one it judged first: the
    outermost call of the last statement that calls one (``net.forward(X); net.backward(Y)``
    judges backward), then every other name the call or its comment mentions."""
    lines = [line for line in call.strip().splitlines() if not _SETUP.match(line)]
    statements = [s for line in lines for s in line.split("#", 1)[0].split(";")]
    # The last line's comment when no code calls one ("# train_step(X0, Y0, 0.3), …").
    comment = lines[-1].partition("#")[2] if lines else ""
    primary = next(
        (names[0] for s in [comment, *statements][::-1] if (names := _names_in(s))), None
    )
    if primary is None:
        return []
    return [primary, *(n for n in _names_in("\n".join(lines)) if n != primary)]


#: Reading the gradients judges what set them.
_GRADIENTS = re.compile(r"(?<![\w.])net\.(dW|db)\b")


def _names_in(text: str) -> list[str]:
    hits = [(m.start(), qualified(m.group(2), method=True if m.group(1) else None))
            for m in _CALLED.finditer(text)]  # fmt: skip
    hits += [(m.start(), BACKWARD) for m in _GRADIENTS.finditer(text)]
    found: list[str] = []
    for _, name in sorted(hits, key=lambda h: h[0]):
        if name is not None and name not in found:
            found.append(name)
    return found


def from_frames(function_names: Iterable[str]) -> list[str]:
    """The contract functions and methods among the implementation's frames (given outermost
    first), innermost first: where an exception was raised (or the call cut short), then the
    functions that called it, up to the one the check called."""
    found: list[str] = []
    for fn in function_names:
        name = qualified(fn.rsplit(".", 1)[-1])
        if name is not None:
            if name in found:
                found.remove(name)
            found.insert(0, name)
    return found


_FRAME_LINE = re.compile(r'^\s*File "[^"]*", line \d+, in (\S+)', re.MULTILINE)


def from_traceback_text(text: str) -> list[str]:
    """As ``from_frames``, for a traceback formatted by ``traceback.format_list``."""
    return from_frames(_FRAME_LINE.findall(text))


#: For each check (a pattern on its id), the function it is about: where it sorts in the run
#: and whom its failure blames when neither its call nor a traceback names one. First match.
CHECKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), name)
    for p, name in [
        (r"^test_has_names::", "contract"),
        (r"^test_layers::test_affine", AFFINE),
        (r"^test_layers::test_relu", RELU_LAYER),
        (r"^test_layers::test_softmax_cross", LOSS_LAYER),
        (r"^test_layers::test_softmax_layer", SOFTMAX_LAYER),
        (r"^test_layers::test_cross_entropy", CE_LAYER),
        (r"^test_activations::.*\[(\w+)\W", r"\1"),
        (r"^test_activations::", "relu"),
        (r"^test_softmax::", "softmax"),
        (r"^test_information::\w+\[(entropy|cross_entropy|kl_divergence)\W", r"\1"),
        (r"^test_information::test_(entropy|cross_entropy)", r"\1"),
        (r"^test_information::test_(gibbs|kl)", "kl_divergence"),
        (r"^test_information::test_binary_entropy", "binary_entropy"),
        (r"^test_information::test_entropy_connection", "sigmoid_derivative"),
        (r"^test_information::test_softmax", "cross_entropy"),
        (r"^test_information::", "entropy"),
        (r"^test_numerical_gradient::", "numerical_gradient"),
        (r"^test_gradients::test_single_sigmoid", "sigmoid_derivative"),
        (r"^test_training::test_(fresh_network|weights_are)", INIT),
        (r"^test_torch_parity::", FORWARD),
        (r"^test_training::test_cross_entropy_loss", LOSS),
        (r"^test_gradients::", BACKWARD),
        (r"^test_training::test_forward_follows", FORWARD),
        (r"^test_training::test_(results_handed_out|forward_and_backward)", BACKWARD),
        (r"^test_training::test_update", UPDATE),
        (r"^test_training::test_(train_step|successive)", TRAIN_STEP),
        (r"^test_training::test_predict", PREDICT),
        (r"^test_xor::", "XOR"),
    ]
]
RANK |= {"contract": 0.5, "XOR": 7}


def default_for(check: str) -> str:
    """The function a check is about, from its id (``test_module::name[params]``)."""
    for pattern, name in CHECKS:
        if m := pattern.search(check):
            found = m.expand(name)
            if found == "contract" or found == "XOR" or found in RANK:
                return found
    return "?"


#: The order of the modules among checks of the same rank.
MODULES = [
    "test_has_names", "test_activations", "test_softmax", "test_information",
    "test_numerical_gradient", "test_layers", "test_gradients", "test_torch_parity",
    "test_training", "test_xor",
]  # fmt: skip


def sort_key(check: str) -> tuple[float, int]:
    """Where a check runs: the contract's functions first, each module's checks in their own
    order, then the network's checks by the rank of the method they are about; unknown ones
    (the benchmarks) last. Sorting is stable, so checks of one key keep their order."""
    name = default_for(check)
    module = check.split("::", 1)[0]
    position = MODULES.index(module) if module in MODULES else len(MODULES)
    if name == "?":
        return 99.0, position
    return (1.0 if name in FUNCTIONS else RANK[name]), position
