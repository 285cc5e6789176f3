"""What every figure of the report shares: ``Drawn`` (one finished figure, and how far its curves
are off the reference's), a canvas, its PNG bytes, and a curve of the implementation drawn
over the reference's.

Drawing uses matplotlib's object-oriented API on the Agg canvas: no display and no pyplot
state. matplotlib is imported inside ``new_figure``, the first thing each figure calls, so
importing this module, which the guard does in every run of the suite
(``conformance.core.guard.import_kit``), does not import it.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import numpy as np

import reference
from conformance.core.implementation import impl as bp
from conformance.core.implementation import is_path
from conformance.report.curves import Calls

#: The implementation's curves, and the reference's drawn wide and pale behind them, so a
#: correct curve sits on the reference and a wrong one stands off it.
IMPL_WIDTH = 1.8
REFERENCE_STYLE: dict[str, Any] = {"color": "0.55", "linewidth": 6, "alpha": 0.35}
DPI = 96
#: A curve further off the reference than this fraction of the reference's range (about 4
#: pixels of a 400-pixel panel) is visibly off; for the heat map, this share of entries
#: beyond tolerance (one entry of its largest array, 64, is 1.6%).
VISIBLE = 0.01


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

    @classmethod
    def of(cls, fig: Any, calls: Calls, name: str, title: str, caption: str) -> Drawn:
        """The finished figure, with what its calls found."""
        return cls(name, title, caption, png_of(fig), calls.problems, calls.off)

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
