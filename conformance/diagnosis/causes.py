"""From the failed checks to their likely root causes, most fundamental first.

A failure blamed on a function is a likely consequence when something that function is built
on failed earlier (``blame.DEPENDS``), or when it judged several functions together
(``cross_entropy(p, q)`` against ``entropy(p) + kl_divergence(p, q)``) and another of them fails
checks of its own while it fails none alone. Everything else is a root cause.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from conformance.diagnosis import blame
from conformance.diagnosis.evidence import Evidence

#: What the XOR checks are built on: the whole training loop.
_XOR_DEPENDS = (blame.INIT, blame.FORWARD, blame.LOSS, blame.BACKWARD, blame.UPDATE,
                blame.TRAIN_STEP, blame.PREDICT)  # fmt: skip


@dataclass
class Cause:
    function: str
    own: list[Evidence] = field(default_factory=list)
    consequences: list[Evidence] = field(default_factory=list)

    @property
    def first(self) -> Evidence:
        return self.own[0]

    def line(
        self, hidden: frozenset[str] = frozenset(), names: dict[str, str] | None = None
    ) -> str:
        """One line: the function (with the code an adapter built it from, ``names``), one
        sentence of evidence (never from a hidden check's input), and what it accounts for."""
        shown = next((e for e in self.own if e.check not in hidden), None)
        if shown is None:
            evidence = f"a hidden check failed ({len(self.own)} of its checks)"
        else:
            evidence = f"{shown.headline} [{shown.check}]"
            if shown.hint:
                evidence += f"; hint: {shown.hint}"
        accounts = f"{_count(self.own)}"
        if self.consequences:
            accounts += f" + {_count(self.consequences, 'likely consequence')}"
        function = self.function
        if names and names.get(function):
            function += f" ({names[function]})"
        return f"{function}: {evidence} — accounts for {accounts}"


def _count(evidence: list[Evidence], what: str = "failure") -> str:
    areas = Counter(e.area for e in evidence)
    n = len(evidence)
    return f"{n} {what}{'s' if n != 1 else ''} ({', '.join(f'{a} {k}' for a, k in areas.items())})"


@dataclass
class Diagnosis:
    causes: list[Cause]
    #: For each evidence's check: the function of the root cause it is a consequence of, or
    #: None when it is (part of) a root cause itself.
    consequence_of: dict[str, str | None]

    def lines(
        self, hidden: frozenset[str] = frozenset(), names: dict[str, str] | None = None
    ) -> list[str]:
        return [c.line(hidden, names) for c in self.causes]


def diagnose(evidence: Iterable[Evidence]) -> Diagnosis:
    evidence = list(evidence)
    alone = {e.involved[0] for e in evidence if len(e.involved) == 1}
    judged = [_judged(e, alone) for e in evidence]
    # By rank; an evidence explained by another function's own failures right after them
    # (sorting is stable: run order is kept within).
    order = sorted(
        range(len(evidence)),
        key=lambda i: (blame.rank(judged[i][1] or judged[i][0]), judged[i][1] is not None),
    )
    causes: dict[str, Cause] = {}
    root_of: dict[str, str] = {}  # every failing function → the root cause that explains it
    consequence_of: dict[str, str | None] = {}
    for i in order:
        e, (f, via) = evidence[i], judged[i]
        upstream = via if via in root_of else None
        if upstream is None and f not in causes:
            depends = _XOR_DEPENDS if f == "XOR" else blame.DEPENDS.get(f, ())
            upstream = next((d for d in depends if d in root_of), None)
        if upstream is not None and f not in causes:
            root = root_of[upstream]
            causes[root].consequences.append(e)
            root_of.setdefault(f, root)
            consequence_of[e.check] = root
        else:
            # XOR failing with every part of the loop passing its own checks: what is left is
            # what happens across the 5000 train_step calls (a schedule, state kept between
            # steps), so the entry names train_step.
            name = blame.TRAIN_STEP if f == "XOR" else f
            causes.setdefault(name, Cause(name)).own.append(e)
            root_of[f] = name
            consequence_of[e.check] = None
    return Diagnosis(list(causes.values()), consequence_of)


def _judged(e: Evidence, alone: set[str]) -> tuple[str, str | None]:
    """(the function an evidence blames, another function whose own failures explain it).

    One function involved, or the first fails checks of its own: that one. Else one of the
    others that fails on its own explains it. Else the function the check judged, or, when the
    implementation raised in a function called by another (``train_step`` calling ``update``
    before ``backward``), the one the check called: the function it raised in passes its own
    checks."""
    if not e.involved:
        return "?", None
    first = e.involved[0]
    if len(e.involved) == 1 or first in alone:
        return first, None
    explained = next((s for s in e.involved[1:] if s in alone), None)
    if explained is not None:
        return first, explained
    return (e.involved[-1] if e.kind == "raised" else first), None
