"""The kit's own tests: they run the conformance suite through ``pytester``."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
from hypothesis import Phase, settings

import conformance.core.profiles  # noqa: F401  (the profiles this one builds on)

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "conformance"
IMPLS = Path(__file__).resolve().parent / "impls"

# Imported once here, before any in-process run: pytester drops the modules a run imported,
# so torch would be imported again on every run, and some C extensions that scipy loads
# (numpy.fft's) cannot be loaded a second time in one process at all.
with contextlib.suppress(ImportError):
    import torch

    # An optimizer's first step imports more of torch (its compiler's test operators), which
    # cannot be registered twice: take that import here, once, before any in-process run.
    _p = torch.nn.Parameter(torch.zeros(1))
    _p.grad = torch.zeros(1)
    torch.optim.SGD([_p], lr=0.1).step()
with contextlib.suppress(ImportError):
    import scipy.special
    import scipy.stats  # noqa: F401
# The same for what the report draws with: one small figure saved imports all of it.
with contextlib.suppress(ImportError):
    import io

    import matplotlib.colors
    import matplotlib.ticker
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    _fig = Figure()
    FigureCanvasAgg(_fig)
    _fig.subplots().plot([0, 1])
    _fig.colorbar(_fig.axes[0].imshow([[1.0, 2.0]], norm=matplotlib.colors.LogNorm()))
    _fig.savefig(io.BytesIO(), format="png")

# The default profile without shrinking: a verdict needs the first failure, not the smallest.
settings.register_profile(
    "verdict",
    settings.get_profile("conformance"),  # registered by conformance.profiles
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)

AREA_RE = re.compile(r"^EXPECTED_AREA = \"(\w+)\"", re.MULTILINE)


def expected_area(path: Path) -> str:
    match = AREA_RE.search(path.read_text())
    assert match, f"{path.name} declares no EXPECTED_AREA"
    return match.group(1)


def failed_areas(result: pytest.RunResult) -> dict[str, int]:
    """How many checks failed per area marker in an in-process run."""
    from conformance.contract import AREAS

    counts: dict[str, int] = {}
    for report in result.reprec.getreports("pytest_runtest_logreport"):  # type: ignore[attr-defined]
        if report.failed:
            for area in AREAS:
                if area in report.keywords:
                    counts[area] = counts.get(area, 0) + 1
    return counts


@pytest.fixture
def run_suite(pytester: pytest.Pytester):
    """Run the conformance suite in-process against an implementation; returns the result."""

    def run(*args: str, profile: str = "verdict") -> pytest.RunResult:
        return pytester.runpytest_inprocess(
            str(SUITE),
            f"--rootdir={ROOT}",
            "-c",
            str(ROOT / "pyproject.toml"),
            f"--hypothesis-profile={profile}",
            "-p",
            "no:benchmark",
            "-q",
            *args,
        )

    return run


@pytest.fixture
def run_benchmarks(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    """The suite in-process with pytest-benchmark loaded (run_suite blocks it)."""
    # Under `meta_tests -n 2` the run would see it is in an xdist worker, where
    # pytest-benchmark disables itself.
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)

    def run(*args: str) -> pytest.RunResult:
        return pytester.runpytest_inprocess(
            str(SUITE),
            f"--rootdir={ROOT}",
            "-c",
            str(ROOT / "pyproject.toml"),
            "-p",
            "no:xdist",
            *args,
        )

    return run
