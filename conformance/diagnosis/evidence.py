"""What one failed check says about the implementation, as plain data that travels on the
check's report (across xdist and into grading's results): the function it blames, what it
saw, the hint, and the student-facing text in full and in brief."""

from __future__ import annotations

import re
import sysconfig
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conformance.core.deadline import ImplTimeout
from conformance.core.outcomes import check_id
from conformance.diagnosis import blame
from conformance.sandbox.errors import SubmissionDied, SubmissionError, SubmissionRaised

#: Where the kit, the standard library and installed packages live: frames there are not the
#: student's (numpy's ``_wrapreduction``, the kit's helpers).
_KIT = Path(__file__).resolve().parent.parent
_NOT_STUDENT = [
    _KIT,
    *{Path(sysconfig.get_paths()[k]).resolve() for k in ("stdlib", "purelib", "platlib")},
]

#: Notes Hypothesis adds that repeat what the kit's reproduction says.
_HYPOTHESIS_NOTE = re.compile(r"^(Falsifying|Failing) (example|test case)")
#: A kit message's "(abs err …; tolerance …)" detail, left out of one-line summaries.
_DETAIL = re.compile(r" \(abs err (?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)")  # nested (…) too
HEADLINE_LIMIT = 200


@dataclass
class Evidence:
    check: str  # test_module::name[params]
    area: str
    #: Contract names the failing call involved; the first is the one it judged.
    involved: list[str]
    headline: str  # one line: what was checked, got vs expected
    hint: str | None
    text: str  # the student-facing text in full (message, hint, input, reproduction)
    #: Where the failure came from: "kit" (a check's assertion), "raised" (the student's
    #: code raised), or "other" (time limit, guard, missing name).
    kind: str = "kit"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def blamed(self) -> str:
        return self.involved[0] if self.involved else "?"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evidence:
        return cls(**d)


def gather(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException], area: str) -> Evidence:
    """The evidence of a check that failed with ``excinfo``."""
    err = _first(excinfo.value)
    if err is not excinfo.value and err.__traceback__ is not None:
        excinfo = pytest.ExceptionInfo.from_exception(err)  # its own frames, not the group's
    notes = [str(n) for n in getattr(err, "__notes__", [])]
    hint = next((n.removeprefix("hint: ") for n in notes if n.startswith("hint: ")), None)
    call = getattr(err, "conformance_call", None)
    involved = blame.from_call(call) if call else []
    kind = "kit"
    if (named := getattr(err, "conformance_blame", None)) is not None:
        involved, kind = [named], "other"
    if isinstance(err, SubmissionRaised):
        kind = "raised"
        involved = blame.from_traceback_text(err.student_traceback) or involved
        text = "\n".join([str(err), err.student_traceback.rstrip(), *_drawn(notes)])
    elif isinstance(err, ImplTimeout):
        kind = "other"
        frames = _student_frames(excinfo)
        involved = blame.from_frames(f[2] for f in frames) or involved
        text = "\n".join([str(err), *(["it was running:", _where(frames)] if frames else [])])
    elif isinstance(err, SubmissionError | SubmissionDied):
        kind = "other"
        text = str(err)
    elif isinstance(err, AssertionError | pytest.fail.Exception):
        kept = [n for n in notes if not _HYPOTHESIS_NOTE.match(n)] if call else notes
        text = "\n".join([str(err), *kept])
    else:  # raised by the implementation, in this process
        kind = "raised"
        frames = _student_frames(excinfo)
        involved = blame.from_frames(f[2] for f in frames) or involved
        text = "\n".join(
            [f"{type(err).__name__}: {err}", *([_where(frames)] if frames else []), *_drawn(notes)]
        )
    about = blame.default_for(check_id(item))
    if not involved or (about == "XOR" and kind == "kit") or about in blame.LAYERS:
        # XOR's verdict is the whole training loop's: which of its parts fails is for the
        # diagnosis to tell from the other checks, not for its call (train_step) to claim. A
        # layer's check judges that layer, whatever its methods are called (forward, backward).
        involved = [about]
    first = str(err).strip().split("\n", 1)[0] or type(err).__name__
    if kind == "raised" and not isinstance(err, SubmissionRaised):  # that one says "raised"
        first = f"raised {type(err).__name__}: {first}"
    headline = _DETAIL.sub("", first)
    if len(headline) > HEADLINE_LIMIT:
        headline = headline[: HEADLINE_LIMIT - 1] + "…"
    return Evidence(check_id(item), area, involved, headline, hint, text.strip(), kind)


def _first(err: BaseException) -> BaseException:
    """Hypothesis reports several distinct failures as a group: the first is the evidence."""
    while (group := getattr(err, "exceptions", None)) and isinstance(group, tuple | list):
        err = group[0]  # a BaseExceptionGroup (Python ≥ 3.11, or the exceptiongroup backport)
    return err


def _drawn(notes: list[str]) -> list[str]:
    """Hypothesis's note of the drawn input, the only place it is said when the student's
    code raised before the kit could write a reproduction."""
    return [n.replace("array(", "np.array(") for n in notes if _HYPOTHESIS_NOTE.match(n)]


def _where(frames: list[tuple[str, int, str, str]]) -> str:
    return "\n".join(f'  File "{f[0]}", line {f[1]}, in {f[2]}\n    {f[3]}' for f in frames)


def _student_frames(
    excinfo: pytest.ExceptionInfo[BaseException],
) -> list[tuple[str, int, str, str]]:
    """(file, line, qualified name, source line) of the traceback's frames outside the kit,
    the standard library and installed packages: the implementation's own."""
    frames = []
    for entry in excinfo.traceback:
        path = Path(str(entry.path))
        try:
            resolved = path.resolve()
        except OSError:
            resolved = path
        if any(resolved.is_relative_to(p) for p in _NOT_STUDENT):
            continue
        code = entry.frame.code.raw
        try:
            source = str(entry.statement).strip().split("\n")[0]
        except Exception:
            source = ""
        frames.append(
            (str(path), entry.lineno + 1, getattr(code, "co_qualname", code.co_name), source)
        )
    return frames
