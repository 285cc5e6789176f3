"""Conventions: how an implementation differs from the contract on purpose, said out loud.

The contract is the tutorial's: the column layout, one-hot labels, probabilities out of
``forward``, any depth. Courses teach others. An implementation declares its own with a
module-level name, or the run with an option (the option wins); nothing is guessed:

    LAYOUT = "rows"          --layout=rows          X (n_samples, n_features), W (n_in, n_out)
    LABELS = "integers"      --labels=integers      y_true as class indices, shape (n_samples,)
    OUTPUT = "logits"        --output=logits        forward returns logits; the loss takes them
    HIDDEN_LAYERS = 1        --hidden-layers=1      the network supports only these depths

A course's template may set two things on purpose that the contract does not; declared, they
are reported and checked as declared, not failed:

    INIT_STD = 0.01          --init-std=0.01        weights start as INIT_STD * randn, not He
    LOSS_CLIP = 1e-7         --loss-clip=1e-7       the loss clips probabilities to [c, 1 − c]

An adapter (conformance.adapters) declares what it adapts with ``ADAPTS``: the contract's
names it does not define are then outside that API, and their checks are skipped.

``adapter`` presents such an implementation to the checks in the contract's terms, exactly (no
rounding: transposed views, the labels' argmax, the kit's softmax of the logits); ``display``
tells its failures back in its own layout; ``detect`` recognises a row-layout network that
said nothing, so that it is told so in one line.

In grading mode the depths, the template's conventions and an adapted API come from the
instructor alone (the options, ``--adapter``): they skip checks or change what a check accepts,
and that is not the submission's to choose. The other conventions only change the form of
arrays, never which checks run or what passes, so a submission may declare them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

COLUMNS, ROWS = "columns", "rows"
ONE_HOT, INTEGERS = "one-hot", "integers"
PROBABILITIES, LOGITS = "probabilities", "logits"


@dataclass(frozen=True)
class Declaration:
    """One convention: its module-level name, its option, its values (the first is the
    contract's) and what each value means, for the header."""

    name: str
    option: str
    values: tuple[str, ...]
    meaning: dict[str, str]


LAYOUT = Declaration(
    "LAYOUT",
    "layout",
    (COLUMNS, ROWS),
    {
        COLUMNS: "X (n_features, n_samples), weights[i] (n_out, n_in), biases[i] (n_out, 1), "
        "softmax over axis 0",
        ROWS: "X (n_samples, n_features), weights[i] (n_in, n_out), biases[i] (1, n_out) or "
        "(n_out,), softmax over the last axis",
    },
)
LABELS = Declaration(
    "LABELS",
    "labels",
    (ONE_HOT, INTEGERS),
    {
        ONE_HOT: "y_true one-hot",
        INTEGERS: "y_true as integer class indices, shape (n_samples,)",
    },
)
OUTPUT = Declaration(
    "OUTPUT",
    "output",
    (PROBABILITIES, LOGITS),
    {
        PROBABILITIES: "forward returns probabilities",
        LOGITS: "forward returns logits and cross_entropy_loss takes them (the kit compares "
        "their softmax)",
    },
)
DECLARATIONS = (LAYOUT, LABELS, OUTPUT)
#: The module-level name of the depths a network supports, and its option.
HIDDEN_LAYERS, HIDDEN_OPTION = "HIDDEN_LAYERS", "hidden_layers"
#: The course template's conventions: module-level name, option, and what the header says.
TEMPLATE = {
    "INIT_STD": ("init_std", "weights start as {} * randn (the contract's: He, sqrt(2 / n_in))"),
    "LOSS_CLIP": (
        "loss_clip",
        "the loss clips probabilities to [{0:g}, 1 - {0:g}] (the contract's: exact)",
    ),
}
#: What an adapter's namespace declares it adapts.
ADAPTS = "ADAPTS"


class ConventionError(Exception):
    """A declaration the kit cannot follow; the message is one line."""


@dataclass(frozen=True)
class Conventions:
    layout: str = COLUMNS
    labels: str = ONE_HOT
    output: str = PROBABILITIES
    #: The numbers of hidden layers the network supports; None: any.
    hidden: tuple[int, ...] | None = None
    #: The template's weight scale and the loss's clip, where declared.
    init_std: float | None = None
    loss_clip: float | None = None
    #: What an adapter adapts (its ADAPTS line); None: the module is the contract's own.
    adapts: str | None = None
    #: Who chose each convention that is not the contract's (for the header).
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def contract(self) -> bool:
        """Whether the implementation follows the contract as it is (no adapter)."""
        return (self.layout, self.labels, self.output) == (COLUMNS, ONE_HOT, PROBABILITIES)

    @property
    def plain(self) -> bool:
        """Whether the checks can use the implementation as it is (no adapter at all)."""
        return self.contract and self.hidden is None

    def supports(self, layers: list[int] | tuple[int, ...]) -> bool:
        return self.hidden is None or len(layers) - 2 in self.hidden

    def header(self) -> list[str]:
        lines = []
        for d in DECLARATIONS:
            value = getattr(self, d.option)
            if d.option in self.sources:
                lines.append(
                    f"conformance: {d.option}={value} ({self.sources[d.option]}): "
                    f"{d.meaning[value]}"
                )
        if HIDDEN_OPTION in self.sources:
            depths = "none" if self.hidden is None else ", ".join(map(str, self.hidden))
            lines.append(
                f"conformance: hidden layers={depths} ({self.sources[HIDDEN_OPTION]}): checks "
                "of other depths are skipped, update and train_step are checked on these"
            )
        if self.adapts is not None:
            lines.append(
                f"conformance: adapter ({self.sources.get(ADAPTS, ADAPTS)}): {self.adapts}; "
                "checks of contract names it does not define are skipped, as not in its API"
            )
        elif ADAPTS in self.sources:
            lines.append(f"conformance: adapter: {self.sources[ADAPTS]}")
        for option, meaning in TEMPLATE.values():
            if option in self.sources:
                value = getattr(self, option)
                said = meaning.format(value) if value is not None else "not followed"
                lines.append(f"conformance: {option}: {said} ({self.sources[option]})")
        return lines


def _declared(module: Any, d: Declaration, name: str) -> str | None:
    try:
        value = getattr(module, d.name, None)
    except Exception:  # a proxy whose worker died: the checks will say so
        return None
    if value is None:
        return None
    if not isinstance(value, str) or value not in d.values:
        raise ConventionError(
            f"{name} declares {d.name} = {value!r:.60}, but the kit knows "
            f"{' and '.join(repr(v) for v in d.values)}"
        )
    return value


def parse_depths(value: Any, what: str) -> tuple[int, ...]:
    """HIDDEN_LAYERS = 1, (1, 2) or "1,2": the numbers of hidden layers, each ≥ 0."""
    items = value.split(",") if isinstance(value, str) else value
    if isinstance(items, int) and not isinstance(items, bool):
        items = (items,)
    try:
        depths = tuple(sorted({int(str(v).strip()) for v in items}))
    except (TypeError, ValueError):
        depths = ()
    if not depths or min(depths) < 0:
        raise ConventionError(
            f"{what} = {value!r:.60}: give the numbers of hidden layers the network supports, "
            "e.g. 1 or (1, 2)"
        )
    return depths


def choose(options: dict[str, Any], module: Any, name: str, grading: bool) -> Conventions:
    """The run's conventions from the options (None: not given) and the module's declarations."""
    chosen: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for d in DECLARATIONS:
        option, own = options.get(d.option), _declared(module, d, name)
        if option is not None:
            chosen[d.option] = option
            over = f", over {d.name} = {own!r} in {name}" if own not in (None, option) else ""
            sources[d.option] = f"--{d.option}={option}{over}"
        elif own is not None:
            chosen[d.option] = own
            sources[d.option] = f"{d.name} = {own!r} in {name}"
    # What a grade leaves out or accepts is the instructor's to say: in grading these
    # declarations of the module are not followed.
    instructors = [(HIDDEN_LAYERS, HIDDEN_OPTION, "hidden", parse_depths)]
    instructors += [
        (declared, option, option, _scale) for declared, (option, _) in TEMPLATE.items()
    ]
    for declared, option, key, parse in instructors:
        value, source = _instructors(options, module, name, grading, declared, option, parse)
        if value is not None:
            chosen[key] = value
        if source is not None:
            sources[option] = source
    if options.get("adapter"):
        chosen["adapts"] = _adapts(module, name) or f"the adapter {options['adapter']}"
        sources[ADAPTS] = f"--adapter={options['adapter']}"
    elif (own := _adapts(module, name)) is not None and not grading:
        chosen["adapts"], sources[ADAPTS] = own, f"{ADAPTS} in {name}"
    elif own is not None:
        sources[ADAPTS] = (
            f"{ADAPTS} in {name} is not followed in grading; the instructor's --adapter decides"
        )
    return Conventions(**chosen, sources=sources)


def _adapts(module: Any, name: str) -> str | None:
    try:
        value = getattr(module, ADAPTS, None)
    except Exception:
        return None
    if value is None:
        return None
    return " ".join(str(value).split())[:200] or f"an adapter ({name})"


def _instructors(
    options: dict[str, Any],
    module: Any,
    name: str,
    grading: bool,
    declared: str,
    option_name: str,
    parse: Callable[[Any, str], Any],
) -> tuple[Any, str | None]:
    """(value, who chose it) of a convention the instructor decides in grading: the option,
    else the module's declaration (not in grading, where the source says it is ignored)."""
    option, flag = options.get(option_name), f"--{option_name.replace('_', '-')}"
    try:
        own = getattr(module, declared, None)
    except Exception:  # a proxy whose worker died: the checks will say so
        own = None
    if option is not None:
        return parse(option, flag), f"{flag}={option}"
    if own is not None and not grading:
        return parse(own, f"{declared} in {name}"), f"{declared} = {own!r} in {name}"
    if own is not None:
        return None, (
            f"{declared} = {own!r:.40} in {name} is not followed in grading; the instructor's "
            f"{flag} decides"
        )
    return None, None


def _scale(value: Any, what: str) -> float:
    """A positive number below 1 (a weight scale, a clip)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not 0 < number < 1:
        raise ConventionError(f"{what} = {value!r:.40}: give a number between 0 and 1, e.g. 0.01")
    return number
