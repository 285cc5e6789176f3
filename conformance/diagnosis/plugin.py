"""The diagnosis in a run: checks ordered from the building blocks up, each failure's
evidence gathered, repeats and likely consequences shown briefly, and the ``diagnosis``
section at the end of the run.

By default a failure shows the kit's message, the student's own frames and the input; the
first failure of each root cause in full, the others in two lines. ``-v`` shows every failure
in full, ``-vv`` or an explicit ``--tb`` pytest's own tracebacks.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.core import notes
from conformance.core.implementation import impl
from conformance.core.outcomes import check_id, describe
from conformance.diagnosis import blame
from conformance.diagnosis.causes import Diagnosis, diagnose
from conformance.diagnosis.evidence import Evidence, gather

EVIDENCE_ATTR = "conformance_evidence"
_STATE = pytest.StashKey["Diagnostician"]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE] = Diagnostician(config)
    config.pluginmanager.register(config.stash[_STATE], "conformance-diagnosis")


def diagnosis_of(config: pytest.Config) -> tuple[Diagnosis, list[tuple[str, str]]]:
    """The run's diagnosis so far and its notes ((function, text), each text once)."""
    state = config.stash.get(_STATE, None)
    if state is None:
        return diagnose([]), []
    return diagnose(state.evidence), list(state.notes)


class Shown:
    """A failure's text as pytest prints it, with its one-line summary as the crash message
    (the short test summary's line)."""

    def __init__(self, text: str, headline: str):
        self.text = text
        self.reprcrash = _Crash(headline)

    def toterminal(self, tw: Any) -> None:
        for line in self.text.splitlines():
            tw.line(line)

    def __str__(self) -> str:
        return self.text


class _Crash:
    def __init__(self, message: str):
        self.message = message


def _active(config: pytest.Config) -> bool:
    from conformance.core.session import active

    return active(config)


class Diagnostician:
    #: What a failed check says, for conformance.core.outcomes (which cannot import it).
    gather = staticmethod(gather)

    def __init__(self, config: pytest.Config):
        self.config = config
        #: Evidence of every failed check, in the order reported (the controller's under xdist).
        self.evidence: list[Evidence] = []
        #: This process's evidence, in run order: what decides a failure's brief form.
        self.local: list[Evidence] = []
        self.notes: dict[tuple[str, str], None] = {}

    @property
    def quiet(self) -> bool:
        return self.config.option.tbstyle == "auto" and self.config.get_verbosity() < 2

    @pytest.hookimpl(trylast=True)  # after any shuffling plugin: the order is the diagnosis's
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if _active(self.config):
            items.sort(key=lambda item: blame.sort_key(check_id(item)))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        report = yield
        if not _active(self.config):
            return report
        if call.when == "call":
            for function, text in notes.take():
                report.user_properties.append((notes.KEY, [function, text]))
        if not report.failed or call.excinfo is None or call.when != "call":
            return report
        if call.excinfo.errisinstance(pytest.skip.Exception):
            return report  # grading's "not run" (a skip it fails): a check that did not run
        area = describe(item)[1] or "other"
        evidence = gather(item, call.excinfo, area)
        setattr(report, EVIDENCE_ATTR, evidence.as_dict())
        self.local.append(evidence)
        if self.quiet:
            report.longrepr, brief = self._shown(evidence)
            if brief:
                # Left out of the FAILURES section: its line in the short summary says it
                # (pytest skips, there, the reports that its debugger has already shown).
                report._pdbshown = True  # type: ignore[attr-defined]
        return report

    def _shown(self, evidence: Evidence) -> tuple[Shown, bool]:
        """The failure's text, and whether it is brief (a repeat or a likely consequence)."""
        if self.config.get_verbosity() >= 1:
            return Shown(evidence.text, evidence.headline), False
        d = diagnose(self.local)
        root = d.consequence_of.get(evidence.check)
        if root is not None:
            line = f"likely a consequence of {root}: {evidence.headline}"
            return Shown(line, line), True
        cause = next(c for c in d.causes if evidence in c.own)
        if cause.first is evidence:
            return Shown(evidence.text, evidence.headline), False
        return Shown(evidence.headline, evidence.headline), True

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for key, value in report.user_properties:
            if key == notes.KEY:
                self.notes.setdefault((value[0], value[1]), None)
        if (data := getattr(report, EVIDENCE_ATTR, None)) is not None:
            self.evidence.append(Evidence.from_dict(data))

    @pytest.hookimpl(trylast=True)  # after the failures, the last thing before the summary
    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        d = diagnose(self.evidence)
        if self.quiet and self.config.get_verbosity() < 1 and self.evidence:
            _condense_short_summary(terminalreporter, d)
        lines = d.lines(names=impl.api_names)
        if not lines and not self.notes:
            return
        terminalreporter.write_sep("=", "diagnosis" if lines else "notes", red=bool(lines))
        for line in lines:
            terminalreporter.write_line(line)
        for function, text in self.notes:
            terminalreporter.write_line(f"note: {function}: {text}", yellow=True)


#: Lines of the short test summary per root cause, for its own failures and for its likely
#: consequences each; the rest are counted in one line (``-v`` lists every one).
SUMMARY_LINES_PER_CAUSE = 8


def _condense_short_summary(tr: pytest.TerminalReporter, d: Diagnosis) -> None:
    """Make the short test summary (which pytest prints right after this hook) list at most
    SUMMARY_LINES_PER_CAUSE failures of each root cause and as many of its consequences:
    an implementation that fails every check for one reason gets a screen, not 175 lines.
    pytest's own counts are untouched (the reports are hidden only while it prints)."""
    original = tr.short_test_summary
    cause_of = {e.check: c.function for c in d.causes for e in c.own}

    def short_test_summary() -> None:
        failed = tr.stats.get("failed", [])
        shown, left_out = [], 0
        per_group: dict[tuple[str, bool], int] = {}
        for report in failed:
            data = getattr(report, EVIDENCE_ATTR, None)
            if data is not None:
                check = Evidence.from_dict(data).check
                root = d.consequence_of.get(check)
                group = (root or cause_of.get(check, "?"), root is not None)
                per_group[group] = per_group.get(group, 0) + 1
                if per_group[group] > SUMMARY_LINES_PER_CAUSE:
                    left_out += 1
                    continue
            shown.append(report)
        tr.stats["failed"] = shown
        try:
            original()
        finally:
            tr.stats["failed"] = failed
        if left_out:
            tr.write_line(
                f"… and {left_out} more failures of the same root causes, counted in the "
                "diagnosis above (-v lists each one)",
                red=True,
            )

    tr.short_test_summary = short_test_summary  # type: ignore[method-assign]
