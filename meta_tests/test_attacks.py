"""Every attack on grading mode earns exactly what its honest twin earns (see attacks/README.md),
the grader finishes within its limits, its results files are valid, and no process of the
submission outlives the run. Graded in a subprocess, as an autograder would run it: the
attacks look for the grader's command line."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from grading_helpers import grade, worker_processes

ATTACKS = Path(__file__).resolve().parent / "attacks"
PAIRS = sorted(p.stem.removeprefix("attack_") for p in ATTACKS.glob("attack_*.py"))
#: Short limits keep the hanging and hoarding attacks quick.
LIMITS = ("--call-timeout=2", "--worker-memory=1024", "--allow-import=reference")
#: The grader's own bound on a run of one area under those limits.
WALL_LIMIT_S = 240


def test_every_attack_has_a_twin() -> None:
    assert len(PAIRS) >= 10
    for name in PAIRS:
        assert (ATTACKS / f"twin_{name}.py").is_file(), name


@pytest.mark.parametrize("name", PAIRS)
def test_attack_earns_exactly_what_its_twin_earns(pytester, name: str) -> None:
    scores = {}
    for kind in ("twin", "attack"):
        start = time.monotonic()
        graded = grade(
            pytester,
            ATTACKS / f"{kind}_{name}.py",
            *LIMITS,
            "-m",
            "activations",
            in_process=False,
            profile=None,
        )
        elapsed = time.monotonic() - start
        assert elapsed < WALL_LIMIT_S, f"{kind}_{name}: the grader took {elapsed:.0f} s"
        assert graded.result.ret in (pytest.ExitCode.TESTS_FAILED, pytest.ExitCode.USAGE_ERROR)
        scores[kind] = (graded.score, graded.prairielearn["score"], len(graded.failed()))
        left = worker_processes(ATTACKS / f"{kind}_{name}.py")
        assert not left, f"{kind}_{name} left workers {left} behind"
    assert scores["attack"] == scores["twin"], scores
    if name == "results_file":
        pid_file = pytester.path / "results" / "gradescope.json.daemon-pid"
        assert pid_file.is_file(), "the attack did not run, so it proves nothing"
        pid = int(pid_file.read_text())
        assert not _alive(pid), f"the submission's daemon {pid} outlived the run"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
