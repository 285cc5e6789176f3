"""The gradient check of large networks (conformance/helpers/sampled_gradients.py), under several
--impl-seed values: bugs planted only in large layers, which no check of a small network can
see, fail it; the reference and every correct implementation pass it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import IMPLS, ROOT

#: A planted bug is caught with a probability (the directions are random), so it is shown
#: under three seeds; a correct implementation passes by margins of 250× and more, so two do.
SEEDS = (0, 1, 2)
CORRECT_SEEDS = (0, 1)
CHECK = "test_large_network_gradients_match_sampled_finite_differences"
SHALLOW, DEEP = f"{CHECK}[[784, 128, 10]-16]", f"{CHECK}[[784, 256, 256, 10]-8]"

#: Each planted bug: the networks whose check it must fail, and whether the sampled entries
#: must see it too. The random directions must see every one; a single entry or a zeroed row
#: is found by a sampled entry only by luck. Only the deep network has a square 256×256 weight.
PLANTED = {
    "broken_large_single_entry": ({SHALLOW, DEEP}, False),
    "broken_large_zeroed_row": ({SHALLOW, DEEP}, False),
    "broken_large_scaled_one_percent": ({SHALLOW, DEEP}, True),
    "broken_large_dW_not_transposed": ({SHALLOW, DEEP}, True),
    "broken_large_square_W_not_transposed": ({DEEP}, True),
}
#: Correct, but a scalar autodiff engine: about a minute per forward pass of [784, 128, 10],
#: so the check skips it, saying why, rather than run past the time limit (under any seed).
TOO_SLOW = {"correct_micrograd_engine"}


def name(path: Path) -> str:
    return "reference" if path.parent.name == "reference" else path.stem


CORRECT = [
    pytest.param(path, seed, id=f"{name(path)}-seed{seed}")
    for path in [ROOT / "reference" / "__init__.py", *sorted(IMPLS.glob("correct_*.py"))]
    for seed in (CORRECT_SEEDS[:1] if name(path) in TOO_SLOW else CORRECT_SEEDS)
]


def run_checks(run_suite, path: Path, seed: int) -> dict[str, pytest.TestReport]:
    """The call report of the large-network check on each network, by its id."""
    # pytest's own tracebacks (--tb=long): every error of a Hypothesis group, not the
    # diagnosis's quiet first one.
    result = run_suite(f"--impl={path}", f"--impl-seed={seed}", "-k", CHECK, "--tb=long")
    reports = result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    return {r.nodeid.split("::")[-1]: r for r in reports if r.when == "call"}


@pytest.mark.parametrize("seed", SEEDS, ids=lambda s: f"seed{s}")
@pytest.mark.parametrize("bug", sorted(PLANTED), ids=lambda b: b.removeprefix("broken_large_"))
def test_bug_in_large_layers_fails_the_large_network_check(run_suite, bug: str, seed: int):
    reports = run_checks(run_suite, IMPLS / f"{bug}.py", seed)
    assert set(reports) == {SHALLOW, DEEP}, sorted(reports)
    networks, entries_see_it = PLANTED[bug]
    for check in networks:
        text = reports[check].longreprtext
        assert reports[check].failed, f"{bug} passed {check} under --impl-seed={seed}"
        # The check's own verdicts, not an error of the kit: the directions always disagree.
        assert " directions are off" in text, text[-3000:]
        if entries_see_it:
            assert "AssertionError: coordinate " in text, text[-3000:]


@pytest.mark.parametrize("path, seed", CORRECT)
def test_correct_implementation_passes_the_large_network_check(run_suite, path: Path, seed: int):
    reports = run_checks(run_suite, path, seed)
    assert set(reports) == {SHALLOW, DEEP}, sorted(reports)
    for check, report in reports.items():
        expected = "skipped" if name(path) in TOO_SLOW else "passed"
        assert report.outcome == expected, f"{check}:\n{report.longreprtext[-3000:]}"
        if report.skipped:
            assert "too slow" in str(report.longrepr), check


#: A correct network on a loaded machine: every forward pass stalls for 0–40 ms, drawn from a
#: fixed seed. Projected from the difference of two tiny networks, such stalls became seconds
#: per pass (×90 from [784, 16, 10] to [784, 256, 256, 10]) and skipped a correct check.
STALLED = """
import random, time
from reference import *
from reference import NeuralNetwork as _Network

_stalls = random.Random(0)


class NeuralNetwork(_Network):
    def forward(self, X):
        time.sleep(_stalls.uniform(0.0, 0.04))
        return super().forward(X)
"""


def test_stalls_of_a_loaded_machine_do_not_skip_the_check(run_suite, pytester):
    path = pytester.path / "stalled.py"
    path.write_text(STALLED)
    reports = run_checks(run_suite, path, 0)
    assert set(reports) == {SHALLOW, DEEP}, sorted(reports)
    for check, report in reports.items():
        assert report.passed, f"{check}:\n{report.longreprtext[-3000:]}"
