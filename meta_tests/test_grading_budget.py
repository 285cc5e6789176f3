"""Grading ends in time: a submission that hangs in every call, or floods its output in every
call, is graded on the whole suite with the default limits well inside an autograder's time
limit, at its honest twin's score; and once the time budget is spent, the checks not yet run
fail as "not run" in complete, valid results files."""

from __future__ import annotations

import time

import pytest
from grading_helpers import grade
from test_attacks import _own_copy

#: The bar: an autograder's 10-minute limit, with room to spare.
WHOLE_SUITE_LIMIT_S = 300


@pytest.mark.parametrize("name", ["hang_every_call", "flood_every_call"])
def test_the_whole_suite_grades_a_hostile_submission_in_time_at_its_twins_score(
    pytester, name: str
) -> None:
    scores, seconds = {}, {}
    for kind in ("twin", "attack"):
        start = time.monotonic()
        graded = grade(
            pytester,
            _own_copy(pytester, kind, name),
            "--allow-import=reference",
            in_process=False,
            profile=None,
        )
        seconds[kind] = time.monotonic() - start
        scores[kind] = (graded.score, graded.prairielearn["score"], len(graded.failed()))
        assert len(graded.gradescope["tests"]) >= 170, graded.gradescope["output"][:2000]
        not_run = [t for t in graded.failed() if t["output"].startswith("not run: the time")]
        assert not not_run, f"{kind}: the budget was spent: {not_run[0]['output']}"
    assert seconds["attack"] < WHOLE_SUITE_LIMIT_S, seconds
    assert scores["attack"] == scores["twin"], scores


def test_once_the_budget_is_spent_the_checks_not_run_fail_and_the_results_are_complete(
    pytester,
) -> None:
    """Hanging in every call under a 1 s call limit and a 6 s budget: the checks after the
    budget fail as not run, every check is in both results files, and the run ends soon after
    the budget (no call runs past it)."""
    start = time.monotonic()
    graded = grade(
        pytester,
        _own_copy(pytester, "attack", "hang_every_call"),
        "--call-timeout=1",
        "--grading-budget=6",
        in_process=False,
        profile=None,
    )
    assert time.monotonic() - start < 60
    tests = graded.gradescope["tests"]
    assert len(tests) >= 170 and len(graded.prairielearn["tests"]) == len(tests)
    not_run = [t for t in tests if t["output"].startswith("not run: the time budget for grading")]
    assert len(not_run) > 100, [t["output"][:100] for t in tests[:5]]
    assert "(--grading-budget=6 s) was spent after" in not_run[0]["output"]
    assert all(t["score"] == 0 for t in not_run)


def test_a_budget_that_is_not_a_number_of_seconds_is_refused(pytester) -> None:
    result = pytester.runpytest_subprocess(
        "--pyargs", "conformance", "--grading", "--grading-budget=-1"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--grading-budget=-1: give seconds, or 0 for none" in result.stderr.str()
