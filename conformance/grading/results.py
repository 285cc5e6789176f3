"""Gradescope's and PrairieLearn's results files.

Written once when grading starts (saying it did not finish) and replaced atomically at the
end, after every process of the submission is gone, so a submission can neither leave a
results file of its own nor stop one from being written.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from conformance.core.files import write_atomically
from conformance.grading.scores import Grading, compute, feedback_lines

_SURROGATE = re.compile("[\ud800-\udfff]")


def gradescope(grading: Grading, final: bool) -> dict[str, Any]:
    elapsed = round(time.monotonic() - grading.started, 3)
    if not final:
        return {
            "score": 0.0,
            "output": "Grading started but did not finish (the grader was stopped).",
            "tests": [],
            "execution_time": elapsed,
        }
    score, max_score, _ = compute(grading)
    tests = []
    if grading.import_failure is not None:
        tests.append(
            {
                "name": "The submission loads",
                "score": 0.0,
                "max_score": max_score,
                "status": "failed",
                "output": grading.import_failure,
                "visibility": "visible",
            }
        )
    for attempt in grading.forbidden:
        tests.append(
            {
                "name": f"From-scratch rules: {attempt.get('module')} is not allowed",
                "score": 0.0,
                "max_score": 0.0,
                "status": "failed",
                "output": f"imported at {attempt.get('where')}; the import was refused",
                "visibility": "visible",
            }
        )
    if grading.import_failure is None:
        for c in grading.checks.values():
            if c.outcome == "skipped":
                continue
            tests.append(
                {
                    "name": f"{c.area}: {c.check}",
                    "score": c.points,
                    "max_score": c.max_points,
                    "status": "passed" if c.outcome == "passed" else "failed",
                    "output": c.output if c.outcome != "passed" else "",
                    "visibility": grading.table.hidden_visibility if c.hidden else "visible",
                    "tags": [c.area],
                    "extra_data": {
                        "seconds": round(c.seconds, 4),
                        "area": c.area,
                        "check": c.check,
                        "description": c.description,
                    },
                }
            )
    output = "\n".join(feedback_lines(grading))
    if grading.submission_output:
        output += "\n\nWhat your code printed (start):\n" + grading.submission_output[:4000]
    return {
        "score": score,
        "execution_time": elapsed,
        "output": output.strip(),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {
            "isolation": grading.isolation,
            **({"adapter": grading.adapter} if grading.adapter else {}),
            "seconds": {
                **{k: round(v, 3) for k, v in grading.seconds.items()},
                "checks": round(sum(c.seconds for c in grading.checks.values()), 3),
            },
        },
        "tests": tests,
    }


def prairielearn(grading: Grading, final: bool) -> dict[str, Any]:
    if not final:
        return {
            "gradable": False,
            "score": 0.0,
            "message": "Grading started but did not finish (the grader was stopped).",
            "tests": [],
        }
    score, max_score, _ = compute(grading)
    tests = []
    if grading.import_failure is None:
        for c in grading.checks.values():
            if c.outcome == "skipped":
                continue
            tests.append(
                {
                    "name": f"{c.area}: {c.check}",
                    "description": c.description,
                    "points": c.points,
                    "max_points": c.max_points,
                    "message": "" if c.outcome == "passed" else c.output.split("\n")[0],
                    "output": c.output if c.outcome != "passed" else "",
                }
            )
    return {
        "gradable": grading.import_failure is None,
        "score": round(score / max_score, 6) if max_score else 0.0,
        "message": "\n".join(feedback_lines(grading)),
        "output": grading.submission_output[:4000],
        "isolation": grading.isolation,
        "tests": tests,
    }


def write_results(grading: Grading, final: bool) -> None:
    for fmt, path in grading.outputs.items():
        data = _valid_text((gradescope if fmt == "gradescope" else prairielearn)(grading, final))
        write_atomically(path, json.dumps(data, indent=1, allow_nan=False).encode())


def _valid_text(data: Any) -> Any:
    """Every string as valid Unicode: a submission's output or exception text may hold lone
    surrogates, which json.dumps writes as ``\\ud800`` escapes that strict JSON readers (the
    platforms' among them) refuse; each becomes U+FFFD."""
    if isinstance(data, str):
        return _SURROGATE.sub("\ufffd", data)
    if isinstance(data, dict):
        return {_valid_text(k): _valid_text(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_valid_text(v) for v in data]
    return data
