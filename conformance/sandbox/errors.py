"""What the checks see when a call into the submission goes wrong in grading mode."""

from __future__ import annotations

import builtins


class SubmissionError(Exception):
    """A call into the submission failed: it raised, crashed, hung or broke the protocol.
    The message is written for the student."""


class SubmissionRaised(SubmissionError):
    """The submission's code raised; ``type_name`` and ``student_traceback`` say where."""

    def __init__(self, message: str, type_name: str, student_traceback: str):
        super().__init__(message)
        self.type_name = type_name
        self.student_traceback = student_traceback


class SubmissionDied(BaseException):
    """The worker was stopped (time limit) or ended (exit, crash, memory); the next call
    starts a new one. A BaseException, like the grader's own time limit, so that Hypothesis
    fails the check at once instead of replaying (and restarting) it while shrinking."""


_raised_classes: dict[str, type[SubmissionRaised]] = {}


def raised_class(type_name: str) -> type[SubmissionRaised]:
    """SubmissionRaised, also an instance of the built-in exception of the same name, so that
    e.g. ``getattr(net, "dW", None)`` sees the worker's AttributeError as one."""
    base = getattr(builtins, type_name, None)
    if not (isinstance(base, type) and issubclass(base, Exception)) or base is Exception:
        return SubmissionRaised
    if type_name not in _raised_classes:
        try:
            _raised_classes[type_name] = type(
                f"Submission{type_name}", (SubmissionRaised, base), {}
            )
        except TypeError:  # incompatible layouts (e.g. OSError)
            _raised_classes[type_name] = SubmissionRaised
    return _raised_classes[type_name]
