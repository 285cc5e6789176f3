"""The state of one grading session and the points each check earns."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conformance.grading.points import Table


@dataclass
class Check:
    check: str  # test_module::test_name[params]
    area: str
    description: str
    hidden: bool
    fixed: float | None
    outcome: str = "failed"  # passed, failed, skipped; failed until it reports
    seconds: float = 0.0
    output: str = ""
    points: float = 0.0
    max_points: float = 0.0


@dataclass
class Grading:
    """The state of one grading session."""

    table: Table
    outputs: dict[str, Path]
    started: float = field(default_factory=time.monotonic)
    checks: dict[str, Check] = field(default_factory=dict)  # by node id
    import_failure: str | None = None
    forbidden: list[dict[str, str]] = field(default_factory=list)
    submission_output: str = ""
    submission_output_total: int = 0
    notes: list[str] = field(default_factory=list)
    #: Which isolation the submission ran under (namespaces or process, in words).
    isolation: str = ""
    #: Under --adapter: where the contract was built (the worker, or the grader alone).
    adapter: str = ""
    #: The run's diagnosis (one line per likely root cause, hidden checks' inputs left out)
    #: and the notes of what was accepted; set when the run ends.
    diagnosis: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    #: Seconds the run may spend on the checks (0: no limit), from ``started``.
    budget: float = 0.0
    checks_started: int = 0
    #: Where the run's time went, in seconds: "import" (starting the worker and importing the
    #: submission) and "figures" (the report's, where asked for); "checks" is summed at the end.
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def budget_name(self) -> str:
        return f"the time budget for grading (--grading-budget={self.budget:g} s)"

    def budget_spent(self) -> bool:
        return bool(self.budget) and time.monotonic() - self.started >= self.budget

    @property
    def bypassed(self) -> bool:
        """A forbidden package was loaded by going around the refusal (the worker says so)."""
        return any(a.get("where", "").startswith("loaded although") for a in self.forbidden)


def compute(grading: Grading) -> tuple[float, float, dict[str, tuple[float, float, int, int]]]:
    """Assign each check its points; return score, maximum and, per area, (points, maximum,
    checks passed, checks counted)."""
    table = grading.table
    per_area: dict[str, tuple[float, float, int, int]] = {}
    zero_all = grading.bypassed
    for area, area_points in table.areas.items():
        checks = [c for c in grading.checks.values() if c.area == area]
        counted = [c for c in checks if c.outcome != "skipped"]
        shared = [c for c in counted if c.fixed is None]
        for c in checks:
            share = c.fixed if c.fixed is not None else area_points / max(len(shared), 1)
            # Rounded once, here: every file and total adds up the same numbers.
            c.max_points = 0.0 if c.outcome == "skipped" else round(share, 6)
            c.points = c.max_points if c.outcome == "passed" and not zero_all else 0.0
        got = sum(c.points for c in checks)
        of = sum(c.max_points for c in checks)
        per_area[area] = (got, of, sum(c.outcome == "passed" for c in counted), len(counted))
    if grading.import_failure is not None:
        max_score = sum(table.areas.values()) + sum(table.checks.values())
        return 0.0, max_score, per_area
    score = sum(v[0] for v in per_area.values())
    max_score = sum(v[1] for v in per_area.values())
    return score, max_score, per_area


def summary_lines(grading: Grading) -> list[str]:
    lines = []
    if grading.import_failure:
        lines.append(f"Your submission could not be loaded: {grading.import_failure}")
    for attempt in grading.forbidden:
        lines.append(
            f"Not allowed in this assignment: {attempt.get('module')} "
            f"(at {attempt.get('where')}); the import was refused."
        )
    if grading.bypassed:
        lines.append("A forbidden package was loaded by going around the refusal: score 0.")
    lines += grading.notes
    if grading.submission_output_total:
        lines.append(f"Your code printed {grading.submission_output_total} bytes.")
    return lines


def feedback_lines(grading: Grading) -> list[str]:
    """The top of the student's feedback: the diagnosis first, then the summary."""
    lines = []
    if grading.diagnosis:
        lines += ["Diagnosis (likely root causes, most fundamental first):", *grading.diagnosis, ""]
    lines += [f"Note: {n}" for n in grading.accepted]
    return lines + summary_lines(grading)


state_key = pytest.StashKey[Grading]()


def grading_of(config: pytest.Config) -> Grading | None:
    return config.stash.get(state_key, None)
