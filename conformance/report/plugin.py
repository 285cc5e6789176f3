"""``--report=FILE``: one self-contained HTML page of the run, and ``--figures=DIR``: its figures
as PNG files; the options, and the ``Reporter`` plugin that collects every check's outcome
during the run and, at its end, draws the figures and writes the page.

The page (``conformance.report.page``) holds a summary per area, every failed check's message
(its input, expected against got, hint and reproduction), the figures of
``conformance.report.figures`` computed from the implementation under test, and every check.

Nothing here runs, and matplotlib is not imported, unless one of the two options is given.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from conformance.core.files import write_atomically
from conformance.core.outcomes import describe, student_text
from conformance.grading.scores import compute, grading_of
from conformance.report.page import Row, render

#: What a failed check's message may hold on the page (the kit's messages are far shorter).
MAX_TEXT = 20_000


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance")
    group.addoption(
        "--report",
        metavar="FILE",
        default=None,
        help="write one self-contained HTML page of the run: summary, failures with their "
        "inputs, and the tutorial's figures computed from the implementation (needs "
        "matplotlib) (default: none)",
    )
    group.addoption(
        "--figures",
        metavar="DIR",
        default=None,
        help="write the report's figures into DIR as PNG files (needs matplotlib) (default: none)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the Reporter only when a report or figures are asked for."""
    report, figures = config.getoption("report", None), config.getoption("figures", None)
    if not (report or figures):
        return
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise pytest.UsageError(
            "--report and --figures draw with matplotlib: pip install 'backprop-conformance[plot]'"
        ) from None
    base = Path(config.invocation_params.dir)
    report_path = base / report if report else None
    figures_dir = base / figures if figures else None
    if report_path is not None and report_path.is_dir():
        raise pytest.UsageError(f"--report={report} is a directory; give a file path")
    if figures_dir is not None and figures_dir.is_file():
        raise pytest.UsageError(f"--figures={figures} is a file; give a directory")
    config.pluginmanager.register(Reporter(config, report_path, figures_dir), "conformance-report")


class Reporter:
    """Collects every check's outcome, then draws the figures and writes the page."""

    def __init__(self, config: pytest.Config, report: Path | None, figures: Path | None):
        self.config, self.report, self.figures = config, report, figures
        self.rows: dict[str, Row] = {}
        self.written: list[str] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Every check that will run, so that one cut short (``-x``) shows as "not run"."""
        for item in session.items:
            self.rows.setdefault(item.nodeid, Row(item.nodeid, **_describe(item)))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
        """The check's name, area and failure message travel on the report as plain data, so
        that pytest_runtest_logreport has them under xdist too."""
        report = yield
        info = _describe(item)
        if report.failed:
            info["text"] = student_text(call.excinfo, hidden=False, limit=MAX_TEXT, item=item)
        report.conformance = info  # type: ignore[attr-defined]
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        info = getattr(report, "conformance", None)
        if info is None:
            return
        row = self.rows.get(report.nodeid)
        if row is None:
            row = self.rows[report.nodeid] = Row(
                report.nodeid, info["check"], info["area"], info["description"]
            )
        row.seconds += report.duration
        if report.skipped:
            row.outcome = "skipped"
        elif report.failed:
            row.outcome, row.text = "failed", info.get("text", "failed")
        elif report.when == "call" and row.outcome != "failed":
            row.outcome = "passed"

    @pytest.hookimpl(tryfirst=True)  # before grading closes the submission's worker
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        # Looked up here, when the run ends, rather than when pytest loads this plugin at
        # start-up: only a run that asked for a report or figures gets this far.
        from conformance.core.implementation import impl
        from conformance.core.session import activate
        from conformance.report.figures import draw_all

        config = self.config
        self._take_points()
        started = time.perf_counter()
        drawn = []
        if exitstatus != pytest.ExitCode.INTERRUPTED:  # after Ctrl-C: the page, no figures
            if impl.module is None:  # nothing of the suite was collected here (xdist's controller)
                activate(config, config.getoption("impl"))
            drawn = list(draw_all(time_limit=config.getoption("impl_timeout")))
        seconds = time.perf_counter() - started
        if (state := grading_of(config)) is not None:
            state.seconds["figures"] = seconds
        if self.figures is not None:
            self.figures.mkdir(parents=True, exist_ok=True)
            for d in drawn:
                if d.png:
                    write_atomically(self.figures / f"{d.name}.png", d.png)
            self.written.append(f"conformance: wrote {len(drawn)} figures to {self.figures}")
        if self.report is not None:
            page = render(config, list(self.rows.values()), drawn, seconds)
            write_atomically(self.report, page.encode())
            self.written.append(f"conformance: wrote the report to {self.report}")

    def _take_points(self) -> None:
        """In grading mode: each check's points, and the output the student sees (hidden
        checks keep their inputs hidden here too)."""
        state = grading_of(self.config)
        if state is None:
            return
        compute(state)
        for nodeid, check in state.checks.items():
            if (row := self.rows.get(nodeid)) is not None:
                row.points, row.max_points = check.points, check.max_points
                if check.outcome == "failed":
                    row.text = check.output

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        for line in self.written:
            terminalreporter.write_line(line)


def _describe(item: pytest.Item) -> dict[str, str]:
    check, area, description = describe(item)
    return {"check": check, "area": area or "other", "description": description}
