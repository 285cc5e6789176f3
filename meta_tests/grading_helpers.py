"""Running the suite in grading mode from the kit's own tests, and checking its results files
against Gradescope's and PrairieLearn's formats."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SUITE

GRADESCOPE_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}


@dataclass
class Graded:
    result: pytest.RunResult
    gradescope: dict[str, Any]
    prairielearn: dict[str, Any]

    @property
    def score(self) -> float:
        return self.gradescope["score"]

    def area(self, area: str) -> tuple[float, float]:
        """(points, max points) of one area."""
        tests = [t for t in self.gradescope["tests"] if area in t.get("tags", [])]
        return sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)

    def failed(self) -> list[dict[str, Any]]:
        return [t for t in self.gradescope["tests"] if t["status"] == "failed"]


def grade(
    pytester: pytest.Pytester,
    impl: Path | str | None,
    *args: str,
    in_process: bool = True,
    profile: str | None = "verdict",
) -> Graded:
    """Grade ``impl`` (None: the reference); both results files are checked for validity."""
    out = pytester.path / "results"
    out.mkdir(exist_ok=True)
    gradescope, prairielearn = out / "gradescope.json", out / "prairielearn.json"
    argv = [
        str(SUITE),
        f"--rootdir={ROOT}",
        "-c",
        str(ROOT / "pyproject.toml"),
        "-p",
        "no:benchmark",
        "-p",
        "no:cacheprovider",
        "-q",
        "--grading",
        f"--gradescope-json={gradescope}",
        f"--prairielearn-json={prairielearn}",
        *([f"--impl={impl}"] if impl is not None else []),
        *([f"--hypothesis-profile={profile}"] if profile else []),
        *args,
    ]
    # As an autograder runs it: from a folder of the grader's, never the submission's (which
    # grading refuses), here beside the test's folder, where the submissions are written.
    grader = pytester.path.parent / f"{pytester.path.name}-grader"
    grader.mkdir(exist_ok=True)
    before = os.getcwd()
    os.chdir(grader)
    try:
        if in_process:
            result = pytester.runpytest_inprocess(*argv)
        else:
            result = pytester.runpytest_subprocess(*argv, timeout=600)
    finally:
        os.chdir(before)
    gs = json.loads(gradescope.read_text())
    pl = json.loads(prairielearn.read_text())
    strict_text(gs)
    strict_text(pl)
    check_gradescope(gs)
    check_prairielearn(pl)
    return Graded(result, gs, pl)


def strict_text(data: Any) -> None:
    """Every string of a results file is valid Unicode: a lone surrogate (written as a
    ``\\ud800`` escape) is refused by strict JSON readers."""
    if isinstance(data, str):
        data.encode("utf-8")  # UnicodeEncodeError on a lone surrogate
    elif isinstance(data, dict):
        for key, value in data.items():
            strict_text(key)
            strict_text(value)
    elif isinstance(data, list):
        for value in data:
            strict_text(value)


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def check_gradescope(data: dict[str, Any]) -> None:
    """Gradescope's results.json: a score, and tests with name, score, max_score, status,
    output and visibility."""
    assert _number(data["score"]) and data["score"] >= 0, data.get("score")
    assert isinstance(data.get("output", ""), str)
    assert data.get("visibility", "visible") in GRADESCOPE_VISIBILITY
    assert isinstance(data["tests"], list)
    total = 0.0
    for test in data["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert _number(test["score"]) and _number(test["max_score"])
        assert 0 <= test["score"] <= test["max_score"] + 1e-9, test
        assert test["status"] in ("passed", "failed"), test
        assert isinstance(test.get("output", ""), str)
        assert test.get("visibility", "visible") in GRADESCOPE_VISIBILITY
        if "extra_data" in test:
            assert _number(test["extra_data"]["seconds"])
        total += test["score"]
    if data["tests"]:
        assert abs(total - data["score"]) < 1e-6 * max(1.0, total), (total, data["score"])


def check_prairielearn(data: dict[str, Any]) -> None:
    """PrairieLearn's results.json: gradable, score in [0, 1], tests with points, max_points,
    message and output."""
    assert isinstance(data["gradable"], bool)
    assert _number(data["score"]) and 0 <= data["score"] <= 1, data["score"]
    assert isinstance(data.get("message", ""), str)
    for test in data["tests"]:
        assert isinstance(test["name"], str)
        assert _number(test["points"]) and _number(test["max_points"])
        assert 0 <= test["points"] <= test["max_points"] + 1e-9
        assert isinstance(test["message"], str) and isinstance(test["output"], str)


def live_processes(*needles: bytes) -> list[int]:
    """Pids of live processes (not zombies, not pytest itself) whose command line holds every
    one of ``needles`` (a forked child keeps its parent's)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and b"pytest" not in cmdline and all(n in cmdline for n in needles):
            pids.append(int(entry.name))
    return pids


def worker_processes(impl: Path | str | None) -> list[int]:
    """Pids of grading workers of ``impl`` (None: graded by this process) still alive on this
    machine; there should be none after a run. Workers are labelled with their grader's pid
    and their implementation on their command line, outside the sandbox (bwrap's) and in it."""
    from conformance.sandbox.process import WORKER

    label = (f"grader={os.getpid()} " if impl is None else f"impl={impl}").encode()
    outside = live_processes(str(WORKER).encode(), label)
    return outside + live_processes(b"/bp/sandbox/worker.py", label)


def sandboxed(gradescope: dict[str, Any]) -> bool:
    """Whether a run had the operating-system sandbox. Without it the tests that need it skip,
    except where CONFORMANCE_REQUIRE_SANDBOX is set (CI, which installs bubblewrap): there
    its absence fails."""
    isolation = gradescope.get("extra_data", {}).get("isolation", "")
    if isolation.startswith("namespaces"):
        return True
    if os.environ.get("CONFORMANCE_REQUIRE_SANDBOX"):
        pytest.fail(f"CONFORMANCE_REQUIRE_SANDBOX is set, but the run had {isolation!r}")
    return False
