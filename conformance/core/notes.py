"""Notes: what a check accepted but the student should know (a clip guard in log, say).

A check calls ``note(function, text)``; the note travels on the check's report (so it crosses
xdist and the grading worker boundary like any outcome) and is printed once per text in the
terminal summary, the report and the grading results, never as a failure.
"""

from __future__ import annotations

#: The key of a note in a report's ``user_properties``.
KEY = "conformance_note"

_pending: list[tuple[str, str]] = []


def note(function: str, text: str) -> None:
    """Record that ``function`` (a contract name) did something accepted but worth saying."""
    if (function, text) not in _pending:
        _pending.append((function, text))


def take() -> list[tuple[str, str]]:
    """The notes recorded since the last call (by the check that just ran), cleared."""
    taken = list(_pending)
    _pending.clear()
    return taken
