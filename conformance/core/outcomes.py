"""What a collected check is called and what a student reads when it fails: shared by the
terminal, grading's results files and the report."""

from __future__ import annotations

import pytest

from conformance.contract import AREAS
from conformance.sandbox.errors import SubmissionDied, SubmissionError, SubmissionRaised

#: Longest text shown for one failed check.
MAX_OUTPUT = 4000


def check_id(item: pytest.Item) -> str:
    """``test_module::test_name[params]``: the module's own name, not its package, so that
    points patterns and per-check seeds do not depend on where the module lives."""
    module = getattr(item, "module", None)
    name = module.__name__.rsplit(".", 1)[-1] if module is not None else item.path.stem
    return f"{name}::{item.name}"


def describe(item: pytest.Item) -> tuple[str, str | None, str]:
    """(check id, area marker or None, first line of the docstring) of a collected check."""
    area = next((m.name for m in item.iter_markers() if m.name in AREAS), None)
    doc = (getattr(getattr(item, "obj", None), "__doc__", None) or "").strip()
    return check_id(item), area, doc.split("\n")[0]


def student_text(
    excinfo: pytest.ExceptionInfo[BaseException] | None,
    *,
    hidden: bool,
    limit: int = MAX_OUTPUT,
    item: pytest.Item | None = None,
) -> str:
    """What the student sees for a failed check: the kit's message with its hint and
    reproduction, or the submission's own error, its own frames and the input drawn (the
    diagnosis's evidence, given the check's ``item``); for a hidden check, only that it
    failed (and whether the submission raised). Cut at ``limit`` characters."""
    if excinfo is None:
        return "failed"
    err = excinfo.value
    if item is not None and not hidden and not excinfo.errisinstance(KeyboardInterrupt):
        # The diagnosis's evidence (the student's frames, the drawn input), found through the
        # plugin manager: the diagnosis builds on this module.
        gather = item.config.pluginmanager.get_plugin("conformance-diagnosis").gather
        text = gather(item, excinfo, describe(item)[1] or "other").text
        return text if len(text) <= limit else text[:limit] + "\n… (cut)"
    if hidden:
        text = "This check is hidden: its input and expected values are not shown."
        if isinstance(err, SubmissionRaised):
            text += f"\nYour code raised {err.type_name}."
        elif isinstance(err, SubmissionError | SubmissionDied):
            text += f"\n{err}"
        return text
    if isinstance(err, SubmissionRaised):
        text = f"{err}\n{err.student_traceback}".rstrip()
    elif isinstance(err, SubmissionError | SubmissionDied):
        text = str(err)
    elif isinstance(err, AssertionError | pytest.fail.Exception):
        text = "\n".join([str(err), *getattr(err, "__notes__", [])])
    else:
        text = f"{type(err).__name__}: {err}"
    if len(text) > limit:
        text = text[:limit] + "\n… (cut)"
    return text
