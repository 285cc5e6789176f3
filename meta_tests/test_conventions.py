"""Declared conventions besides the layout (conformance/conventions): integer labels, logits out
of forward, and networks of one depth. Implementations that declare them get the verdicts of
their contract twins, with no glue beyond the declaration; a declaration the kit does not know
is one line; in grading only the instructor chooses which depths count."""

from __future__ import annotations

from pathlib import Path

import pytest
from grading_helpers import grade

from conftest import IMPLS, expected_area, failed_areas

LABELS_LOGITS = IMPLS / "conventions"
DEPTH = IMPLS / "depth"
CORRECT = [LABELS_LOGITS / "conventions_base.py", *sorted(LABELS_LOGITS.glob("correct_*.py"))]
BROKEN = sorted(LABELS_LOGITS.glob("broken_*.py")) + sorted(DEPTH.glob("broken_*.py"))
TWO_LAYER = DEPTH / "correct_two_layer.py"
ALLOW_REFERENCE = "--allow-import=reference"


def header(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if line.startswith("conformance: ")]


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_rows_integer_labels_and_logits_pass_every_check(run_suite, path: Path) -> None:
    result = run_suite(f"--impl={path}", "-v")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    assert result.parseoutcomes()["passed"] >= 170
    said = "\n".join(header(result))
    for line in ("layout=rows (LAYOUT = 'rows'", "labels=integers (LABELS = 'integers'",
                 "output=logits (OUTPUT = 'logits'"):  # fmt: skip
        assert line in said, said


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem.removeprefix("broken_"))
def test_a_single_bug_is_rejected_by_its_area(run_suite, path: Path, seed: int) -> None:
    area = expected_area(path)
    result = run_suite(f"--impl={path}", "-m", area, f"--impl-seed={seed}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    assert area in failed_areas(result), f"{path.name}: nothing of {area} failed"


def test_a_reproduction_shows_class_indices_and_runs_as_it_is(run_suite) -> None:
    import subprocess
    import sys

    path = LABELS_LOGITS / "broken_backward_no_mean.py"
    if not path.exists():
        path = next(
            p for p in BROKEN if expected_area(p) == "gradients" and p.parent == LABELS_LOGITS
        )
    result = run_suite(f"--impl={path}", "-m", "gradients", "-p", "no:randomly")
    text = result.stdout.str()
    block = text.split("reproduce:\n", 1)[1].split("\n=", 1)[0].split("\n_", 1)[0]
    assert "Y = np.array([" in block and "dtype=np.int" in block, block  # class indices
    run = subprocess.run([sys.executable, "-c", block], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(
    "line, said",
    [
        ('LABELS = "ints"', "declares LABELS = 'ints', but the kit knows 'one-hot' and 'integers'"),
        (
            'OUTPUT = "raw"',
            "declares OUTPUT = 'raw', but the kit knows 'probabilities' and 'logits'",
        ),
        ("HIDDEN_LAYERS = 'one'", "give the numbers of hidden layers the network supports"),
    ],
)
def test_an_unknown_declaration_is_one_line(pytester, run_suite, line: str, said: str) -> None:
    path = pytester.path / "declares.py"
    path.write_text(f"from reference import *\n{line}\n")
    result = run_suite(f"--impl={path}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    lines = [x for x in result.errlines + result.outlines if said in x]
    assert len(lines) == 1, result.errlines + result.outlines


def test_the_contract_gets_no_conventions_lines(run_suite) -> None:
    result = run_suite("-v", "-m", "contract")
    said = header(result)
    assert not any(x.startswith(("conformance: layout=", "conformance: labels=")) for x in said)


def test_a_network_of_one_depth_is_checked_on_it_and_skips_the_others(run_suite) -> None:
    result = run_suite(f"--impl={TWO_LAYER}", "-rs")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] >= 150 and outcomes["skipped"] >= 10, outcomes
    text = result.stdout.str()
    assert "supports networks of 1 hidden layer, and this check needs NeuralNetwork(" in text
    assert any(
        x.startswith("conformance: hidden layers=1 (HIDDEN_LAYERS = 1 in")
        for x in header(run_suite(f"--impl={TWO_LAYER}", "-v", "-m", "contract"))
    )
    # update and train_step run, on the depth it supports
    reports = result.reprec.getreports("pytest_runtest_logreport")  # type: ignore[attr-defined]
    ran = {r.nodeid.split("::")[-1] for r in reports if r.when == "call" and r.passed}
    expected = {
        "test_update_is_one_sgd_step[1]",
        "test_train_step_returns_the_loss_before_its_update",
        "test_successive_train_steps_are_independent_sgd_steps",
    }
    assert expected <= ran, sorted(ran)


def test_in_grading_only_the_instructor_chooses_the_depths(pytester) -> None:
    graded = grade(pytester, TWO_LAYER, ALLOW_REFERENCE, "--hidden-layers=1")
    assert graded.score == pytest.approx(100.0), graded.failed()[:3]
    # The other depths' checks left the split: they are not among the results' tests.
    listed = {t["name"] for t in graded.gradescope["tests"]}
    assert len(listed) <= 165 and not any("784, 256, 256" in name for name in listed), len(listed)
    # The submission's own HIDDEN_LAYERS is not followed: its other depths fail as not run.
    graded = grade(pytester, TWO_LAYER, ALLOW_REFERENCE)
    assert graded.score < 100
    assert any("a two-layer net takes" in t["output"] for t in graded.failed()), graded.failed()
