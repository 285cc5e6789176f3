"""The tutorial's figures, computed from the implementation under test with the reference drawn
faintly behind it, and a heat map of each layer's gradient error; ``draw_all`` draws them all.

The values come from ``conformance.report.curves``, through ``bp`` (in-process, or the worker
in grading mode); a call into the implementation that fails costs only its own curve: the
figure is drawn without it and says why (``Drawn.problems``). The shared drawing parts are in
``conformance.report.drawing``. matplotlib is imported only once a figure is drawn.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator

import numpy as np

import reference
from conformance import fixtures
from conformance.core.deadline import ImplTimeout, deadline
from conformance.core.implementation import impl as bp
from conformance.helpers.numerics import FD_STEP
from conformance.report.curves import (
    ACTIVATION_Z,
    ACTIVATIONS,
    CONNECTION_Z,
    GRADIENT_BATCH,
    GRADIENT_LAYERS,
    P_CLASS0,
    Calls,
    activation_curves,
    binary_curves,
    connection_curves,
    parameter_errors,
    xor_losses,
)
from conformance.report.drawing import (
    IMPL_WIDTH,
    REFERENCE_STYLE,
    Drawn,
    curve,
    drawable,
    impl_label,
    new_figure,
    note_missing,
)

#: Each derivative's true maximum (at z = 0), drawn dashed under the implementation's.
DERIVATIVE_MAXIMA = {"sigmoid": 0.25, "relu": 1.0, "tanh": 1.0}
#: The gradient-error heat maps' colour scale, fixed so that one figure can be read against
#: another: the method's own error (≈ 1e-10) is dark, a bug is bright.
ERROR_RANGE = (1e-12, 1.0)


# -- (1) activations and their derivatives -------------------------------------------------------


def activations() -> Drawn:
    """The tutorial's 2 × 3 grid: sigmoid, ReLU, tanh (top) and their derivatives (bottom), each
    derivative's maximum marked where the implementation has it, the true one dashed."""
    z, calls = ACTIVATION_Z, Calls()
    refs = activation_curves(reference, Calls())
    gots = activation_curves(bp, calls)
    fig = new_figure(14, 8)
    axes = fig.subplots(2, 3)
    for j, name in enumerate(ACTIVATIONS):
        title = {"sigmoid": "Sigmoid", "relu": "ReLU", "tanh": "Tanh"}[name]
        for row, fn_name in enumerate((name, f"{name}_derivative")):
            ax = axes[row, j]
            ref, got = refs[fn_name], gots[fn_name]
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
    return Drawn.of(
        fig,
        calls,
        "activations",
        "Activation functions and their derivatives",
        "Your sigmoid, ReLU and tanh (blue) and their derivatives at the pre-activation z "
        "(red) over the reference (wide grey). The dashed line is each derivative's true "
        "maximum (¼, 1, 1, at z = 0); the dot is where yours peaks.",
    )


# -- (2) XOR training loss ------------------------------------------------------------------------


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
    return Drawn.of(
        fig,
        calls,
        "xor_loss",
        "Training loss on XOR",
        f"train_step on the tutorial's 2-4-2 network, lr {fixtures.XOR_LR:g}, "
        f"{fixtures.XOR_STEPS} steps, from the kit's starting point for both: your final loss "
        f"{final}, the reference's {ref[-1]:.3g}. A correct implementation follows the grey "
        "curve to the end.",
    )


# -- (3) one binary prediction --------------------------------------------------------------------


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
    return Drawn.of(
        fig,
        calls,
        "binary_prediction",
        "Loss, gradient and entropy of one binary prediction",
        "For ŷ = (p, 1 − p) with the true class 0: your cross_entropy(y, ŷ), the size of "
        "∂L/∂z from your network's backward (W = 0, b = log ŷ), and your entropy(ŷ). The "
        "gradient is largest when the prediction is most wrong; the entropy peaks at "
        "p = ½ at ln 2.",
    )


# -- (4) the entropy connection -------------------------------------------------------------------


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
    return Drawn.of(
        fig,
        calls,
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
    layers = parameter_errors(calls, seed)
    n = len(layers)
    fig = new_figure(3.6 * n + 1.2, 4.2)
    grid = fig.add_gridspec(1, 3 * n + 1, width_ratios=[*([6, 1, 0.6] * n), 0.35])
    from matplotlib.colors import LogNorm
    from matplotlib.ticker import MaxNLocator

    norm = LogNorm(*ERROR_RANGE)
    image = None
    worst: list[str] = []
    for i, layer in enumerate(layers):
        for k, p in enumerate(layer):
            ax = fig.add_subplot(grid[0, 3 * i + k])
            if p.error is None:
                calls.off[p.name] = math.inf
                ax.text(0.5, 0.5, "not computed\n(see below)", ha="center", va="center",
                        transform=ax.transAxes, color="crimson", fontsize=8)  # fmt: skip
                ax.set_xticks([])
                ax.set_yticks([])
            else:
                err = p.error
                shown = np.clip(np.nan_to_num(err, nan=ERROR_RANGE[1]), *ERROR_RANGE)
                image = ax.imshow(
                    shown, norm=norm, cmap="magma", aspect="auto", interpolation="nearest"
                )
                off = np.argwhere(~(err <= p.tolerance))  # NaN errors count as beyond
                calls.off[f"{p.name} entries beyond tolerance"] = len(off) / err.size
                if off.size:
                    ax.plot(off[:, 1], off[:, 0], "x", color="cyan", markersize=4)
                    worst.append(f"{p.name}: {len(off)} of {err.size} entries beyond tolerance")
                ax.set_title(
                    f"{p.name} {p.shape[0]}×{p.shape[1]}\nmax {np.nanmax(err):.1e}", fontsize=9
                )
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
                ax.set_xlabel("input" if p.kind == "dW" else "")
                if k == 0:
                    ax.set_ylabel("output unit")
                if p.kind == "db":
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
    return Drawn.of(
        fig,
        calls,
        "gradient_errors",
        "Gradient error per layer",
        "Each entry's |analytic − numeric| gradient on a log scale from 1e-12 (dark) to 1 "
        "(bright), the numeric gradient being central differences (h = "
        f"{FD_STEP:g}) of your own loss; a cross marks an entry beyond the kit's tolerance. A "
        "wrong row, column or transposition shows as a pattern. Here: " + verdict + ".",
    )


# -- all of them ----------------------------------------------------------------------------------

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
