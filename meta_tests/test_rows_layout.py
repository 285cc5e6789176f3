"""The row layout (conformance/layouts): implementations written the way PyTorch, CS231n and nnfs
teach (X of shape (n_samples, n_features), weights[i] (n_in, n_out)) get the verdicts of their
column twins through ``LAYOUT = "rows"`` or ``--layout=rows``, with failures told in their own
layout; a row-layout network that says nothing is refused in one line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from grading_helpers import grade
from test_failure_output import diagnosis

from conftest import IMPLS, expected_area, failed_areas

ROWS = IMPLS / "rows"
CORRECT = sorted(ROWS.glob("correct_*.py"))
BROKEN = sorted(ROWS.glob("broken_*.py"))
UNDECLARED = ROWS / "undeclared_rows.py"
#: Correct, but a scalar autodiff engine: the large-network checks skip it (too slow).
TOO_SLOW = {"correct_micrograd_engine"}
ALLOW_REFERENCE = "--allow-import=reference"  # the broken twins build on rows_base, on reference


def test_the_row_twins_are_a_third_of_the_broken_set_and_every_correct_style() -> None:
    column_broken = sorted(IMPLS.glob("broken_*.py"))
    assert len(BROKEN) * 3 >= len(column_broken), (len(BROKEN), len(column_broken))
    assert {p.name for p in CORRECT} == {p.name for p in IMPLS.glob("correct_*.py")}
    for path in BROKEN:
        twin = IMPLS / path.name
        assert twin.exists(), f"{path.name} has no column twin"
        assert expected_area(path) == expected_area(twin), path.name
        assert 'LAYOUT = "rows"' in path.read_text(), path.name


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.stem)
def test_correct_row_implementation_passes_every_check(run_suite, path: Path) -> None:
    result = run_suite(f"--impl={path}")  # its own LAYOUT = "rows" declaration
    outcomes = result.parseoutcomes()
    expected_skips = 2 if path.stem in TOO_SLOW else 0
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    assert outcomes.get("skipped", 0) == expected_skips, outcomes
    assert outcomes["passed"] >= 170, outcomes


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem.removeprefix("broken_"))
def test_broken_row_twin_is_rejected_by_its_twins_area(run_suite, path: Path, seed: int) -> None:
    area = expected_area(path)
    result = run_suite(f"--impl={path}", "-m", area, f"--impl-seed={seed}")
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    assert area in failed_areas(result), f"{path.name}: nothing of {area} failed"


def test_undeclared_row_network_is_told_so_in_one_line(pytester, run_suite) -> None:
    result = run_suite(f"--impl={UNDECLARED}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines + result.outlines if "row layout" in line]
    assert len(errors) == 1, result.errlines + result.outlines
    assert "--layout=rows" in errors[0] and 'LAYOUT = "rows"' in errors[0], errors[0]
    assert "(3, 5)" in errors[0]  # the evidence: weights[0] of NeuralNetwork([3, 5, 2])
    # Given the option, it passes every check.
    result = run_suite(f"--impl={UNDECLARED}", "--layout=rows")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]


def test_the_header_says_the_layout_and_who_chose_it(run_suite) -> None:
    result = run_suite(f"--impl={CORRECT[0]}", "-v", "-m", "contract")
    assert any(
        line.startswith("conformance: layout=rows (LAYOUT = 'rows' in ") for line in result.outlines
    ), result.outlines[:8]
    # The option wins over the module's declaration, and the header says so.
    result = run_suite(f"--impl={CORRECT[0]}", "--layout=columns", "-v", "-m", "contract")
    header = [line for line in result.outlines if line.startswith("conformance: layout=")]
    assert header and "--layout=columns, over LAYOUT = 'rows'" in header[0], header


def test_an_unknown_declaration_is_one_line(pytester, run_suite) -> None:
    path = pytester.path / "badlayout.py"
    path.write_text('from rows_base import *\nLAYOUT = "row"\n')
    pytester.syspathinsert(ROWS)
    result = run_suite(f"--impl={path}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    said = "\n".join(result.errlines + result.outlines)
    assert "declares LAYOUT = 'row', but the kit knows 'columns' and 'rows'" in said, said


#: A row twin's bug, told in its layout: db summed over the wrong axis (samples in rows are
#: axis 0). The column words must not leak into what a row-layout learner reads.
def test_a_failure_is_told_and_reproduced_in_the_row_layout(run_suite) -> None:
    path = ROWS / "broken_backward_db_wrong_axis.py"
    result = run_suite(f"--impl={path}", "-m", "gradients", "-p", "no:randomly")
    text = result.stdout.str()
    first = diagnosis(result.outlines)[0]
    assert "axis=1, keepdims=True" not in first and "(n_out, 1)" not in first, first
    # The first reproduction pastes into Python as it is, against the module itself, with
    # arrays in its layout, and shows the wrong gradient.
    block = text.split("reproduce:\n", 1)[1].split("\n=", 1)[0].split("\n_", 1)[0]
    assert "RowsModule" not in block, block
    assert re.search(r"^X = np\.array\(\[\[", block, re.MULTILINE), block
    run = subprocess.run(
        [sys.executable, "-c", block + "\nprint([d.shape for d in net.db])"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    shapes = eval(run.stdout.strip().splitlines()[-1])
    assert all(len(s) == 1 or s[0] == 1 for s in shapes), shapes  # (1, n_out) or flat, rows


def test_grading_a_row_implementation(pytester) -> None:
    graded = grade(pytester, ROWS / "rows_base.py", ALLOW_REFERENCE)
    assert graded.score == pytest.approx(100.0), graded.failed()[:3]
    graded = grade(
        pytester, ROWS / "broken_backward_no_mean.py", ALLOW_REFERENCE, "-m", "gradients"
    )
    assert graded.area("gradients")[0] < graded.area("gradients")[1]


def test_grading_an_undeclared_row_network_names_the_layout(pytester) -> None:
    # Grading is not refused (the instructor's contract decides the grade), but the
    # diagnosis's first line says what is wrong and what to do.
    graded = grade(pytester, UNDECLARED, ALLOW_REFERENCE, "-m", "training")
    assert graded.score < 100
    text = graded.result.stdout.str()
    assert "this network uses the row layout" in text and "--layout=rows" in text, text[-3000:]
