"""What a failing run prints: the root cause first and in full, its repeats and likely
consequences in one line each, the student's own frames and the drawn input (no Hypothesis
explain notes, no numpy internals), the diagnosis at the end and at the top of the report and
of the grading feedback, and nothing of a hidden check's input."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from grading_helpers import grade

from conftest import IMPLS

ALLOW_REFERENCE = "--allow-import=reference"  # the broken impls re-export the reference

#: A whole student module with one bug: softmax normalises rows. Its network uses it, so
#: forward, backward and training fail too, as consequences.
SOFTMAX_ROWS = (
    (IMPLS / "correct_tutorial_style.py")
    .read_text()
    .replace("np.max(z, axis=0, keepdims=True)", "np.max(z, axis=1, keepdims=True)")
    .replace("np.sum(exp_z, axis=0, keepdims=True)", "np.sum(exp_z, axis=1, keepdims=True)")
)

RAISES_IN_SOFTMAX = textwrap.dedent(
    """
    from reference import *  # noqa: F401,F403
    import numpy as np


    def softmax(z):
        z = np.asarray(z)
        return np.exp(z) / np.sum(np.exp(z), axis=(0, 2))  # an axis a 2-D array lacks
    """
)


def diagnosis(lines: list[str]) -> list[str]:
    """The entries of the run's diagnosis section."""
    start = next(i for i, line in enumerate(lines) if re.match(r"^=+ diagnosis =+$", line))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("="))
    return lines[start + 1 : end]


def sections(lines: list[str]) -> list[str]:
    """The failures printed in full: the FAILURES section's ``___ name ___`` headings."""
    return [line for line in lines if re.match(r"^_{3,} .* _{3,}$", line)]


@pytest.fixture
def student(pytester: pytest.Pytester):
    def write(name: str, source: str) -> Path:
        path = pytester.path / f"{name}.py"
        path.write_text(source)
        return path

    return write


def test_the_root_cause_is_shown_first_and_its_consequences_in_one_line(
    run_suite, student, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("COLUMNS", "240")  # the short summary's lines whole
    result = run_suite(f"--impl={student('student_softmax_rows', SOFTMAX_ROWS)}")
    lines = result.outlines
    entries = diagnosis(lines)
    assert entries[0].startswith("softmax: "), entries
    assert len(entries) == 1, entries  # forward, backward, training: consequences, not causes
    assert "likely consequence" in entries[0] and "training" in entries[0], entries[0]
    # One failure in full (the first of softmax), every other one a line of the summary.
    assert len(sections(lines)) == 1, sections(lines)
    assert any(line.startswith("FAILED") and "likely a consequence of softmax" in line
               for line in lines)  # fmt: skip
    assert len(lines) <= 150, len(lines)


def test_verbose_shows_every_failure_in_full(run_suite, student):
    # run_suite passes -q: two -v make verbosity 1
    result = run_suite(f"--impl={student('student_softmax_rows', SOFTMAX_ROWS)}", "-v", "-v",
                       "-m", "softmax")  # fmt: skip
    failed = [line for line in result.outlines if line.startswith("FAILED")]
    assert len(sections(result.outlines)) == len(failed) > 1


def test_an_exception_shows_the_students_frame_and_the_drawn_input(run_suite, student):
    path = student("student_raises", RAISES_IN_SOFTMAX)
    result = run_suite(f"--impl={path}", "-m", "softmax")
    out = result.stdout.str()
    assert f'File "{path}", line 8, in softmax' in out, out[-3000:]
    assert "z=np.array(" in out  # the input Hypothesis drew, as it pastes back
    for noise in ("_wrapreduction", "fromnumeric.py", "Explanation:", "relayout(", "<...>"):
        assert noise not in out, noise
    assert diagnosis(result.outlines)[0].startswith("softmax: raised AxisError")


def test_a_conformance_run_prints_no_benchmark_header(run_benchmarks):
    result = run_benchmarks("--impl=reference", "-m", "softmax", "-q", "-p", "no:randomly")
    assert result.ret == 0
    assert not any(line.startswith("benchmark: ") for line in result.outlines)


def test_a_missing_name_is_diagnosed_as_missing(run_suite, student):
    from conformance.contract import NAMES

    names = ", ".join(n for n in NAMES if n != "softmax")
    path = student("student_no_softmax", f"from reference import {names}\n")
    result = run_suite(f"--impl={path}", "-m", "softmax or contract")
    entries = diagnosis(result.outlines)
    assert any(e.startswith("softmax: ") and "defines no `softmax`" in e for e in entries), entries


def test_tampering_blames_the_implementation_not_a_function(run_suite):
    path = IMPLS / "broken_cheat_patches_the_kit.py"
    result = run_suite(f"--impl={path}", "-m", "softmax")
    entries = diagnosis(result.outlines)
    assert entries[0].startswith(f"{path}: "), entries


def test_the_report_opens_with_the_diagnosis(run_suite, student, tmp_path: Path):
    page = tmp_path / "report.html"
    run_suite(f"--impl={student('student_softmax_rows', SOFTMAX_ROWS)}", "-m", "softmax",
              f"--report={page}")  # fmt: skip
    html = page.read_text()
    assert '<section id="diagnosis">' in html
    assert html.index('id="diagnosis"') < html.index('id="summary"')
    assert "<li>softmax: " in html


def test_grading_feedback_opens_with_the_diagnosis_and_keeps_hidden_checks_hidden(
    pytester: pytest.Pytester,
):
    points = pytester.path / "points.toml"
    points.write_text('[grading]\nhidden = ["test_softmax::test_columns_sum*"]\n'
                      'hidden_visibility = "after_due_date"\n')  # fmt: skip
    graded = grade(pytester, IMPLS / "broken_softmax_axis1.py", ALLOW_REFERENCE,
                   f"--points={points}", "-m", "softmax")  # fmt: skip
    output = graded.gradescope["output"]
    assert output.startswith("Diagnosis (likely root causes, most fundamental first):\nsoftmax: ")
    assert graded.prairielearn["message"].startswith("Diagnosis")
    # The first softmax failure is the hidden check: the entry quotes a visible one instead.
    entry = output.split("\n")[1]
    assert "test_columns_sum_to_one" not in entry, entry
    hidden = [t for t in graded.gradescope["tests"] if "test_columns_sum" in t["name"]]
    assert hidden and "should be" not in json.dumps(hidden)
