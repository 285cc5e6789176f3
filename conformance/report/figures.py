"""The tutorial's figures, computed from the implementation under test with the reference drawn
faintly behind it, and a heat map of each layer's gradient error.

Each figure is computed through ``bp`` (in-process, or the worker in grading mode) and drawn
with matplotlib's object-oriented API on the Agg canvas: no display, no pyplot state, and
nothing imported until a figure is asked for. A call into the implementation that raises,
hangs, or returns the wrong shape or a non-finite value costs only its own curve: the figure
is drawn without it and says why (``Drawn.problems``).
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np

import reference
from conformance.helpers import network_helpers as nh
from conformance import fixtures
from conformance.core.deadline import ImplTimeout, deadline
from conformance.core.implementation import impl as bp
from conformance.core.implementation import is_path
from conformance.helpers.numerics import FD_ATOL, FD_RTOL, FD_STEP, well_conditioned_case

#: The implementation's curves, and the reference's drawn wide and pale behind them, so a
#: correct curve sits on the reference and a wrong one stands off it.
IMPL_WIDTH = 1.8
REFERENCE_STYLE: dict[str, Any] = {"color": "0.55", "linewidth": 6, "alpha": 0.35}
DPI = 96
#: A curve further off the reference than this fraction of the reference's range (about 4
#: pixels of a 400-pixel panel) is visibly off; for the heat map, this share of entries
#: beyond tolerance (one entry of its largest array, 64, is 1.6%).
VISIBLE = 0.01

#: The gradient-error heat maps: a net whose weights past the first are square (so a W for Wᵀ
#: runs and shows as a mirrored pattern), and the colour scale, fixed so that one figure can
#: be read against another: the method's own error (≈ 1e-10) is dark, a bug is bright.
GRADIENT_LAYERS = [6, 8, 8, 8]
GRADIENT_BATCH = 4
ERROR_RANGE = (1e-12, 1.0)


@dataclass
class Drawn:
    """One figure: ``name`` (its file stem and HTML id), title, caption and PNG bytes, with
    the calls into the implementation that could not be drawn, one line each, and how far each
    of its curves is ``off`` the reference's (Calls.compare)."""

    name: str
    title: str
    caption: str
    png: bytes
    problems: list[str] = field(default_factory=list)
    off: dict[str, float] = field(default_factory=dict)

    @property
    def differs(self) -> bool:
        """Some curve of the implementation stands visibly off the reference's."""
        return any(v > VISIBLE for v in self.off.values())

    def verdict(self) -> str:
        """One line on how the figure compares with the reference."""
        if not self.off:
            return ""
        if not self.differs:
            return "Yours lies on the reference throughout."
        worst = sorted(self.off.items(), key=lambda kv: -kv[1])
        listed = ", ".join(f"{k} ({_percent(v)})" for k, v in worst if v > VISIBLE)
        return f"Off the reference: {listed}."


def _percent(v: float) -> str:
    return "not drawn" if math.isinf(v) else f"{100 * v:.3g}%"


# -- calling the implementation ------------------------------------------------------------------


class Calls:
    """Calls into the implementation for one figure; a failure becomes a line in
    ``problems`` and the value None, never an exception."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        #: The figure's time limit has passed: no further call is made.
        self.expired = False
        #: label → how far the implementation's curve is off the reference's (compare).
        self.off: dict[str, float] = {}

    def compare(
        self, label: str, ref: np.ndarray, got: np.ndarray | None, *, log: bool = False
    ) -> None:
        """The largest |got − ref| as a fraction of ref's range (on a log axis, of log10
        values); inf where got could not be drawn, or has gaps where ref has none."""
        r = np.log10(ref) if log else np.asarray(ref, dtype=np.float64)
        height = float(np.nanmax(r) - np.nanmin(r)) or 1.0
        if got is None:
            self.off[label] = math.inf
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            g = np.log10(np.where(got > 0, got, np.nan)) if log else got
        d = np.abs(g - r)
        missing = bool(np.any(~np.isfinite(d) & np.isfinite(r)))
        self.off[label] = math.inf if missing else float(np.nanmax(d)) / height

    def drawn(self, fig: Any, name: str, title: str, caption: str) -> Drawn:
        """The finished figure, with what these calls found."""
        return Drawn(name, title, caption, png_of(fig), self.problems, self.off)

    def value(self, what: str, fn: Callable[[], Any]) -> Any:
        if self.expired:
            return None
        try:
            return fn()
        except KeyboardInterrupt:
            raise
        except ImplTimeout as err:
            self.expired = True
            self.problems.append(f"{what}: {err}; the rest of this figure was not computed")
        except BaseException as err:  # its own errors, a missing name, a dead worker
            self.problems.append(f"{what} raised {type(err).__name__}: {_first_line(err)}")
        return None

    def array(self, what: str, fn: Callable[[], Any], shape: tuple[int, ...]) -> np.ndarray | None:
        """fn() as a float64 array of ``shape``; None (and a problem) if it is not one. Its
        non-finite entries are kept (they are not drawn) and reported."""
        got = self.value(what, fn)
        if got is None:
            return None
        try:
            a = np.array(got, dtype=np.float64)
        except (TypeError, ValueError) as err:
            self.problems.append(f"{what} returned {type(got).__name__}, not numbers: {err}")
            return None
        if a.shape != shape:
            if a.size == math.prod(shape):
                self.problems.append(f"{what} has shape {a.shape}, not {shape}; drawn reshaped")
                a = a.reshape(shape)
            else:
                self.problems.append(f"{what} has shape {a.shape}, not {shape}: not drawn")
                return None
        if bad := int(np.sum(~np.isfinite(a))):
            self.problems.append(f"{what} has {bad} non-finite entries of {a.size}: gaps")
        return a

    def scalar(self, what: str, fn: Callable[[], Any]) -> float:
        got = self.value(what, fn)
        if got is None:
            return math.nan
        try:
            return float(np.asarray(got, dtype=np.float64).reshape(()))
        except (TypeError, ValueError):
            self.problems.append(f"{what} returned {type(got).__name__}, not a number")
            return math.nan


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:300] if text else "(no message)"


# -- drawing ---------------------------------------------------------------------------------------


def new_figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(fig)
    return fig


def png_of(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def curve(
    ax: Any, x: np.ndarray, ref: np.ndarray, got: np.ndarray | None, what: str, **style: Any
) -> None:
    """The reference wide and pale, the implementation on top, or a note that ``what`` could
    not be drawn."""
    ax.plot(x, ref, **REFERENCE_STYLE, label="reference", zorder=1)
    if got is not None:
        ax.plot(x, got, linewidth=IMPL_WIDTH, zorder=3, **style)
    note_missing(ax, got, what)


def drawable(a: np.ndarray) -> np.ndarray | None:
    """``a``, or None when it has no finite value to draw."""
    return a if np.isfinite(a).any() else None


def note_missing(ax: Any, got: np.ndarray | None, what: str) -> None:
    if got is None:
        ax.text(
            0.5, 0.5, f"{what}: not drawn (see below)", transform=ax.transAxes,
            ha="center", va="center", color="crimson", fontsize=9, wrap=True,
        )  # fmt: skip


def impl_label() -> str:
    """The legend's name for the implementation under test: its module or file stem."""
    if bp.module is reference:
        return "yours: reference"
    name = bp.name
    return f"yours: {PurePath(name.replace(chr(92), '/')).stem if is_path(name) else name}"


# -- (1) activations and their derivatives -------------------------------------------------------

#: The tutorial plots z in [−5, 5]; an odd count puts z = 0 (ReLU's kink) on the grid.
ACTIVATION_Z = np.linspace(-5, 5, 201)
DERIVATIVE_MAXIMA = {"sigmoid": 0.25, "relu": 1.0, "tanh": 1.0}


def activations() -> Drawn:
    """The tutorial's 2 × 3 grid: sigmoid, ReLU, tanh (top) and their derivatives (bottom), each
    derivative's maximum marked where the implementation has it, the true one dashed."""
    z, calls = ACTIVATION_Z, Calls()
    fig = new_figure(14, 8)
    axes = fig.subplots(2, 3)
    for j, name in enumerate(("sigmoid", "relu", "tanh")):
        title = {"sigmoid": "Sigmoid", "relu": "ReLU", "tanh": "Tanh"}[name]
        for row, fn_name in enumerate((name, f"{name}_derivative")):
            ax = axes[row, j]
            ref = getattr(reference, fn_name)(z)
            got = calls.array(f"{fn_name}(z)", lambda f=fn_name: getattr(bp, f)(z.copy()), z.shape)
            calls.compare(f"{fn_name}(z)", ref, got)
            color = "tab:red" if row else "tab:blue"
            curve(ax, z, ref, got, f"{fn_name}(z)", color=color, label=impl_label())
            ax.set_title(f"{title} Derivative" if row else title)
            ax.grid(True, alpha=0.3)
            if row:
                top = DERIVATIVE_MAXIMA[name]
                ax.axhline(top, color="gray", linestyle="--", linewidth=1, label=f"max={top:g}")
                if got is not None and np.isfinite(got).any():
                    k = int(np.nanargmax(np.where(np.isfinite(got), got, -np.inf)))
                    ax.plot(z[k], got[k], "o", color="black", zorder=4)
                    ax.annotate(
                        f"yours peaks at {got[k]:.4g}\nat z = {z[k]:.3g}", (z[k], got[k]),
                        xytext=(0.97, 0.5), textcoords="axes fraction", ha="right",
                        fontsize=8, bbox={"boxstyle": "round", "fc": "white", "ec": "0.8"},
                        arrowprops={"arrowstyle": "->", "color": "0.3"},
                    )  # fmt: skip
            ax.legend(fontsize=8, loc="upper left")
    fig.suptitle("Activation Functions and Their Derivatives", fontsize=14)
    fig.tight_layout()
    return calls.drawn(
        fig,
        "activations",
        "Activation functions and their derivatives",
        "Your sigmoid, ReLU and tanh (blue) and their derivatives at the pre-activation z "
        "(red) over the reference (wide grey). The dashed line is each derivative's true "
        "maximum (¼, 1, 1, at z = 0); the dot is where yours peaks.",
    )


# -- (2) XOR training loss ------------------------------------------------------------------------


def xor_losses(module: Any, calls: Calls) -> np.ndarray:
    """Losses of train_step over the tutorial's 5000 steps at lr 0.5, from the kit's first
    starting point (so both networks start alike); NaN from the first step that failed."""
    weights, biases = fixtures.xor_start(fixtures.XOR_START_SEEDS[0])
    X, Y = fixtures.XOR_X, fixtures.XOR_Y
    losses = np.full(fixtures.XOR_STEPS, np.nan)
    net = calls.value("NeuralNetwork([2, 4, 2])", lambda: module.NeuralNetwork(fixtures.XOR_LAYERS))
    if net is None:
        return losses
    ok = calls.value(
        "setting net.weights[i] and net.biases[i]",
        lambda: [_put(net, i, W, b) for i, (W, b) in enumerate(zip(weights, biases))],
    )
    if ok is None:
        return losses
    for step in range(fixtures.XOR_STEPS):
        loss = calls.scalar(
            f"train_step(X, Y, {fixtures.XOR_LR:g}) at step {step + 1}",
            lambda: net.train_step(X.copy(), Y.copy(), fixtures.XOR_LR),
        )
        if not math.isfinite(loss):
            break
        losses[step] = loss
    return losses


def _put(net: Any, i: int, W: np.ndarray, b: np.ndarray) -> None:
    net.weights[i] = W.copy()
    net.biases[i] = b.copy()


def xor_loss() -> Drawn:
    calls = Calls()
    ref = xor_losses(reference, Calls())
    got = xor_losses(bp, calls)
    steps = np.arange(1, fixtures.XOR_STEPS + 1)
    calls.compare("train_step losses", ref, got, log=True)
    fig = new_figure(10, 4.4)
    ax = fig.subplots()
    shown = np.where(got > 0, got, np.nan)  # a log axis cannot show 0 or less
    if np.any(got <= 0):
        calls.problems.append("train_step returned losses ≤ 0, which a log axis cannot show")
    curve(ax, steps, ref, drawable(shown), "train_step losses", label=impl_label())
    ax.set_yscale("log")
    ax.set_xlabel("Epoch")
    ax.set_ylabel("Cross-Entropy Loss")
    ax.set_title("Training Loss (XOR Problem)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=9)
    last = got[np.isfinite(got)]
    final = f"{last[-1]:.3g}" if last.size else "none"
    fig.tight_layout()
    return calls.drawn(
        fig,
        "xor_loss",
        "Training loss on XOR",
        f"train_step on the tutorial's 2-4-2 network, lr {fixtures.XOR_LR:g}, "
        f"{fixtures.XOR_STEPS} steps, from the kit's starting point for both: your final loss "
        f"{final}, the reference's {ref[-1]:.3g}. A correct implementation follows the grey "
        "curve to the end.",
    )


# -- (3) one binary prediction --------------------------------------------------------------------

P_CLASS0 = np.linspace(0.01, 0.99, 99)  # the tutorial's range, with p = 0.5 on the grid
Y_CLASS0 = np.array([1.0, 0.0])


def binary_curves(module: Any, calls: Calls) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """cross_entropy(y, ŷ), |∂L/∂z| and entropy(ŷ) for ŷ = (p, 1 − p), y = class 0.

    ∂L/∂z comes from the implementation's own backward: a network with no hidden layer, W = 0
    and b = log ŷ, so that forward gives ŷ and db is ∂L/∂z for one sample.
    """
    loss, grad, entropy = (np.full(P_CLASS0.shape, np.nan) for _ in range(3))
    net = calls.value("NeuralNetwork([1, 2])", lambda: module.NeuralNetwork([1, 2]))
    for k, p in enumerate(P_CLASS0):
        y_pred = np.array([p, 1 - p])
        loss[k] = calls.scalar(
            f"cross_entropy({Y_CLASS0.tolist()}, {y_pred.tolist()})",
            lambda y=y_pred: module.cross_entropy(Y_CLASS0.copy(), y.copy()),
        )
        entropy[k] = calls.scalar(
            f"entropy({y_pred.tolist()})", lambda y=y_pred: module.entropy(y.copy())
        )
        if net is not None:
            db = calls.array(
                f"net.db[0] after forward and backward at ŷ = {y_pred.tolist()}",
                lambda n=net, y=y_pred: _output_gradient(n, np.log(y)),
                (2, 1),
            )
            grad[k] = float(np.linalg.norm(db)) if db is not None else np.nan
            if db is None:
                net = None  # one message, not 99
        if len(calls.problems) > 12:
            calls.problems.append("… and more; stopped")
            break
    return loss, grad, entropy


def _output_gradient(net: Any, logits: np.ndarray) -> Any:
    net.weights[0] = np.zeros((2, 1))
    net.biases[0] = logits.reshape(2, 1).copy()
    net.forward(np.zeros((1, 1)))
    net.backward(Y_CLASS0.reshape(2, 1).copy())
    return net.db[0]


def binary_prediction() -> Drawn:
    calls = Calls()
    ref = binary_curves(reference, Calls())
    got = binary_curves(bp, calls)
    fig = new_figure(14, 4.4)
    axes = fig.subplots(1, 3)
    panels = [
        ("Cross-Entropy Loss", "Loss vs Prediction Confidence", "tab:blue"),
        ("Gradient Magnitude |∂L/∂z|", "Gradient vs Prediction", "tab:red"),
        ("Entropy H(y_pred)", "Prediction Entropy (Uncertainty)", "purple"),
    ]
    names = ["cross_entropy(y, ŷ)", "|∂L/∂z| = ‖net.db[0]‖", "entropy(ŷ)"]
    for ax, r, g, (ylabel, title, color), name in zip(axes, ref, got, panels, names):
        shown = drawable(g)
        calls.compare(name, r, shown)
        curve(ax, P_CLASS0, r, shown, ylabel, color=color, label=impl_label())
        ax.set_xlabel("P(class 0)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
    axes[0].axvline(1, color="g", linestyle="--", label="True class")
    axes[2].axhline(np.log(2), color="gray", linestyle="--", label="Max entropy")
    for ax in axes:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return calls.drawn(
        fig,
        "binary_prediction",
        "Loss, gradient and entropy of one binary prediction",
        "For ŷ = (p, 1 − p) with the true class 0: your cross_entropy(y, ŷ), the size of "
        "∂L/∂z from your network's backward (W = 0, b = log ŷ), and your entropy(ŷ). The "
        "gradient is largest when the prediction is most wrong; the entropy peaks at "
        "p = ½ at ln 2.",
    )


# -- (4) the entropy connection -------------------------------------------------------------------

CONNECTION_Z = np.linspace(-6, 6, 241)


def connection_curves(module: Any, calls: Calls) -> list[np.ndarray | None]:
    z = CONNECTION_Z
    s = calls.array("sigmoid(z)", lambda: module.sigmoid(z.copy()), z.shape)
    ds = calls.array("sigmoid_derivative(z)", lambda: module.sigmoid_derivative(z.copy()), z.shape)
    h = None
    if s is not None:
        h = calls.array(
            "binary_entropy(sigmoid(z))", lambda: module.binary_entropy(s.copy()), z.shape
        )
    return [s, ds, None if h is None else h / np.log(2)]


def entropy_connection() -> Drawn:
    calls = Calls()
    ref = connection_curves(reference, Calls())
    got = connection_curves(bp, calls)
    fig = new_figure(10, 6)
    ax = fig.subplots()
    labels = ["σ(z) - Output", "σ'(z) - Gradient", "H(σ(z)) / ln(2) - Entropy"]
    colors = ["tab:blue", "tab:red", "tab:green"]
    names = ["sigmoid(z)", "sigmoid_derivative(z)", "binary_entropy(sigmoid(z)) / ln 2"]
    for r, g, label, color, name in zip(ref, got, labels, colors, names):
        calls.compare(name, r, g)
        ax.plot(CONNECTION_Z, r, **REFERENCE_STYLE, zorder=1)
        if g is not None:
            ax.plot(CONNECTION_Z, g, color=color, linewidth=IMPL_WIDTH, label=label, zorder=3)
    ax.plot([], [], **REFERENCE_STYLE, label="reference")
    if any(g is None for g in got):
        note_missing(ax, None, "some curves")
    ax.axvline(0, color="gray", linestyle="--", alpha=0.5)
    ax.axhline(0.5, color="gray", linestyle=":", alpha=0.5)
    ax.set_xlabel("Pre-activation z", fontsize=12)
    ax.set_ylabel("Value", fontsize=12)
    ax.set_title("The Entropy-Gradient Connection in Sigmoid Activation", fontsize=14)
    ax.legend(fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.annotate(
        "Max gradient & entropy\nat z=0", xy=(0, 0.25), xytext=(2, 0.4),
        arrowprops={"arrowstyle": "->", "color": "black"}, fontsize=11,
    )  # fmt: skip
    fig.tight_layout()
    return calls.drawn(
        fig,
        "entropy_connection",
        "The entropy connection",
        "Your sigmoid, its derivative and the binary entropy of its output (divided by ln 2) "
        "on one axis, over the reference: σ' and H(σ) both peak at z = 0, where σ = ½.",
    )


# -- (5) gradient error per layer -----------------------------------------------------------------


def gradient_errors(seed: int = 0) -> Drawn:
    """|analytic − numeric| for every entry of every dW[i] and db[i] of one network, the
    numeric gradient being central differences of the implementation's own loss."""
    calls = Calls()
    case = well_conditioned_case(GRADIENT_LAYERS, GRADIENT_BATCH, np.random.default_rng([seed, 5]))
    analytic = calls.value(
        "forward(X), backward(Y), then dW, db", lambda: nh.gradients(nh.build(case), case)
    )
    numeric = calls.value(
        "central differences of cross_entropy_loss(forward(X), Y)",
        lambda: nh.numeric_gradients(case),
    )
    n = len(case.weights)
    fig = new_figure(3.6 * n + 1.2, 4.2)
    grid = fig.add_gridspec(1, 3 * n + 1, width_ratios=[*([6, 1, 0.6] * n), 0.35])
    from matplotlib.colors import LogNorm
    from matplotlib.ticker import MaxNLocator

    norm = LogNorm(*ERROR_RANGE)
    image = None
    worst: list[str] = []
    for i in range(n):
        for k, (kind, shape) in enumerate(
            (("dW", case.weights[i].shape), ("db", case.biases[i].shape))
        ):
            ax = fig.add_subplot(grid[0, 3 * i + k])
            if analytic is None or numeric is None:
                calls.off[f"{kind}[{i}]"] = math.inf
                ax.text(0.5, 0.5, "not computed\n(see below)", ha="center", va="center",
                        transform=ax.transAxes, color="crimson", fontsize=8)  # fmt: skip
                ax.set_xticks([])
                ax.set_yticks([])
            else:
                got, expected = analytic[k][i], numeric[k][i]
                err = np.abs(got - expected)
                tolerance = FD_ATOL + FD_RTOL * float(np.max(np.abs(expected)))
                shown = np.clip(np.nan_to_num(err, nan=ERROR_RANGE[1]), *ERROR_RANGE)
                image = ax.imshow(
                    shown, norm=norm, cmap="magma", aspect="auto", interpolation="nearest"
                )
                off = np.argwhere(~(err <= tolerance))
                calls.off[f"{kind}[{i}] entries beyond tolerance"] = len(off) / err.size
                if off.size:
                    ax.plot(off[:, 1], off[:, 0], "x", color="cyan", markersize=4)
                    worst.append(f"{kind}[{i}]: {len(off)} of {err.size} entries beyond tolerance")
                ax.set_title(
                    f"{kind}[{i}] {shape[0]}×{shape[1]}\nmax {np.nanmax(err):.1e}", fontsize=9
                )
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
                ax.set_xlabel("input" if kind == "dW" else "")
                if k == 0:
                    ax.set_ylabel("output unit")
                if kind == "db":
                    ax.set_xticks([])
    if image is not None:
        cax = fig.add_subplot(grid[0, -1])
        fig.colorbar(image, cax=cax, label="|analytic − numeric|")
    fig.suptitle(
        "Gradient error per layer: |dW − numeric| and |db − numeric| of "
        f"NeuralNetwork({GRADIENT_LAYERS}), batch {GRADIENT_BATCH}",
        fontsize=11,
    )
    fig.tight_layout()
    verdict = "; ".join(worst) if worst else "every entry within tolerance"
    return calls.drawn(
        fig,
        "gradient_errors",
        "Gradient error per layer",
        "Each entry's |analytic − numeric| gradient on a log scale from 1e-12 (dark) to 1 "
        "(bright), the numeric gradient being central differences (h = "
        f"{FD_STEP:g}) of your own loss; a cross marks an entry beyond the kit's tolerance. A "
        "wrong row, column or transposition shows as a pattern. Here: " + verdict + ".",
    )


FIGURES: dict[str, Callable[[], Drawn]] = {
    "activations": activations,
    "xor_loss": xor_loss,
    "binary_prediction": binary_prediction,
    "entropy_connection": entropy_connection,
    "gradient_errors": gradient_errors,
}


def draw_all(time_limit: float = 0.0) -> Iterator[Drawn]:
    """Every figure, each computed under ``time_limit`` seconds (0: none), in FIGURES' order."""
    for name, draw in FIGURES.items():
        message = (
            f"the figure's time limit of {time_limit:g}s passed: a call into {bp.name} hangs "
            "or is far too slow (raise the limit with --impl-timeout)"
        )
        try:
            # Drawing is best effort: the implementation's warnings (log of 0, …) and
            # matplotlib's layout notes would only repeat what the checks and problems say.
            with (
                deadline(time_limit, message),
                warnings.catch_warnings(),
                np.errstate(all="ignore"),
            ):
                warnings.simplefilter("ignore")
                drawn = draw()
        except ImplTimeout as err:  # it expired in the kit's own work, between calls
            drawn = Drawn(name, name.replace("_", " "), "This figure could not be drawn.", b"")
            drawn.problems.append(str(err))
        yield drawn
