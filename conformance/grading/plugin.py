"""Grading mode (``pytest --grading``): its options and the hooks that score each check.

The submission runs only in a worker process (``conformance.sandbox``); this plugin loads it
there, turns the outcome of each check into points (``conformance.grading.points``) and
writes the results files (``conformance.grading.results``).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from conformance.adapters import SHIPPED, file_of
from conformance.contract import AREAS
from conformance.conventions.adapter import Unsupported
from conformance.core.implementation import ImplementationError, impl
from conformance.core.outcomes import describe, student_text
from conformance.core.session import convention_options
from conformance.diagnosis.plugin import diagnosis_of
from conformance.grading import invocation
from conformance.grading.points import load_table
from conformance.grading.results import write_results
from conformance.grading.scores import Check, Grading, compute, grading_of, state_key, summary_lines
from conformance.sandbox.errors import SubmissionDied, SubmissionError
from conformance.sandbox.private import left_out_note
from conformance.sandbox.remote import KIT_MODULES, SandboxUnavailable, Settings

#: Seconds a run may spend on the checks of one submission: with the start-up and the results
#: files, a run ends well inside Gradescope's default limit of 10 minutes, and a correct
#: submission needs a tenth of it.
DEFAULT_BUDGET_S = 240.0


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance grading", "backprop conformance kit: grading mode")
    group.addoption(
        "--grading",
        action="store_true",
        default=False,
        help="grade the implementation: run it only in an isolated worker process, score "
        "the checks and (with the options below) write results files",
    )
    group.addoption("--points", metavar="FILE", default=None, help="points table (TOML)")
    group.addoption(
        "--forbid",
        metavar="PKGS",
        default=None,
        help="comma-separated top-level packages the submission may not import "
        "(added to the points file's list)",
    )
    group.addoption(
        "--allow-import",
        metavar="PKGS",
        default=None,
        help="comma-separated packages of the kit itself (reference, conformance) that the "
        "submission may import; refused by default",
    )
    group.addoption(
        "--worker-user",
        metavar="USER",
        default=None,
        help="run the submission's worker as this unprivileged user (the grader must run as "
        "root, as on Gradescope): it can then neither signal the grader nor write its files",
    )
    group.addoption(
        "--worker-uid",
        metavar="UID",
        type=int,
        default=None,
        help="the uid of this run's worker alone (the grader must be root; default: one "
        "drawn at random): backprop-grade names it, to kill every process of the job",
    )
    group.addoption(
        "--sandbox",
        choices=("auto", "required", "process"),
        default="auto",
        help="isolation of the submission: the operating-system sandbox (bubblewrap "
        "namespaces) where the machine allows it, else a worker process (auto, the default); "
        "required: refuse to grade without the OS sandbox; process: the worker process only",
    )
    group.addoption(
        "--gradescope-json",
        metavar="FILE",
        default=None,
        help="write Gradescope's results.json here",
    )
    group.addoption(
        "--prairielearn-json",
        metavar="FILE",
        default=None,
        help="write PrairieLearn's results.json here",
    )
    group.addoption(
        "--call-timeout",
        metavar="SECONDS",
        type=float,
        default=None,
        help="time limit of one call into the submission (default: points file, 10)",
    )
    group.addoption(
        "--worker-memory",
        metavar="MiB",
        type=int,
        default=None,
        help="address-space limit of the worker (default: points file, 4096)",
    )
    group.addoption(
        "--grading-budget",
        metavar="SECONDS",
        type=float,
        default=None,
        help=f"time for grading one submission, from the start of the run: once spent, the "
        f"checks not yet run fail as 'not run' and no call runs past it; 0: none (default: "
        f"{DEFAULT_BUDGET_S:g})",
    )


@pytest.hookimpl(tryfirst=True)  # before pytest's own hook imports the initial conftests
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    invocation.pin(early_config)


# -- outcomes ------------------------------------------------------------------------------------


def activate(config: pytest.Config, spec: str | None) -> None:
    """Grading mode: the implementation runs only in a worker process, and every submission
    faces the same derandomized examples."""
    worker_settings = settings_for(config, AREAS, spec)
    # The adapter builds the contract in the worker too (adapters/served.py): a shipped one,
    # or the instructor's file (a copy of it; one the worker cannot load is the grader's alone).
    if (adapter := config.getoption("adapter", None)) in SHIPPED:
        worker_settings.adapter = adapter
    elif adapter and (path := file_of(adapter, Path(config.invocation_params.dir))):
        worker_settings.adapter = str(path)
    grading = grading_of(config)
    started = time.monotonic()
    try:
        impl.load_remote(
            spec,
            Path(config.invocation_params.dir),
            worker_settings,
            convention_options(config),
        )
        grading.seconds["import"] = time.monotonic() - started
    except SandboxUnavailable as err:  # the grader's set-up: say so in the results files too
        import_failed(config, f"the grader refused to run the submission: {err}")
        raise pytest.UsageError(str(err)) from None
    except (ImplementationError, SubmissionError, SubmissionDied) as err:
        message = str(err)
        if isinstance(err, SubmissionError):
            tb = getattr(err, "student_traceback", "")
            message = f"{message}\n{tb}".rstrip()
        import_failed(config, message)
        if impl.remote is not None:
            impl.remote.close()
        said = f"--impl={spec or 'reference'}: "  # an ImplementationError's own start
        raise pytest.UsageError(message if message.startswith(said) else said + message) from None
    profile = config.getoption("hypothesis_profile", None)
    if profile is None:
        settings.load_profile("grading")
    elif not settings.get_profile(profile).derandomize:
        raise pytest.UsageError(
            f"--hypothesis-profile={profile} is randomized; grading needs a derandomized "
            "profile so that every submission faces the same examples"
        )


def settings_for(config: pytest.Config, areas: dict[str, str], spec: str | None) -> Any:
    """Validate the grading options, prepare the results files, return the worker settings."""
    table = load_table(config.getoption("points"), areas)
    forbid = [*table.forbid, *_names(config.getoption("forbid"))]
    top = (spec or "reference").partition(".")[0]
    allowed = {*table.allow, top, *_names(config.getoption("allow_import"))}
    forbid += [m for m in KIT_MODULES if m not in allowed]
    if (t := config.getoption("call_timeout")) is not None:
        table.call_timeout = t
    if (m := config.getoption("worker_memory")) is not None:
        table.memory_mb = m
    user = config.getoption("worker_user")
    if user is not None:
        import pwd

        try:
            pwd.getpwnam(user)
        except KeyError:
            raise pytest.UsageError(f"--worker-user={user}: no such user") from None
        if os.geteuid() != 0:
            raise pytest.UsageError(f"--worker-user={user}: the grader must run as root")
    outputs = {}
    for fmt in ("gradescope", "prairielearn"):
        value = config.getoption(f"{fmt}_json")
        if value is not None:
            path = Path(value)
            if not path.is_absolute():
                path = Path(config.invocation_params.dir) / path
            if path.is_dir():
                raise pytest.UsageError(f"--{fmt}-json={value} is a directory; give a file path")
            outputs[fmt] = path
    grading = Grading(table=table, outputs=outputs)
    config.stash[state_key] = grading
    write_results(grading, final=False)
    points = config.getoption("points")
    budget = config.getoption("grading_budget")
    budget = DEFAULT_BUDGET_S if budget is None else budget
    if not budget >= 0:
        raise pytest.UsageError(f"--grading-budget={budget:g}: give seconds, or 0 for none")
    grading.budget = budget
    return Settings(
        deadline=grading.started + budget if budget else None,
        budget=grading.budget_name,
        path=None,
        module=None,
        sys_path=[],
        forbid=sorted(set(forbid)),
        call_timeout=table.call_timeout,
        memory_mb=table.memory_mb,
        user=user,
        sandbox=config.getoption("sandbox"),
        uid=_worker_uid(config),
        private=[str(p) for p in outputs.values()]
        + ([str(Path(points).resolve())] if points else []),
        kit_allowed=[m for m in KIT_MODULES if m in allowed],
    )


def _worker_uid(config: pytest.Config) -> int | None:
    uid = config.getoption("worker_uid")
    if uid is not None and (os.geteuid() != 0 or uid <= 0):
        raise pytest.UsageError(f"--worker-uid={uid}: needs a root grader and a uid above 0")
    return uid


def _names(option: str | None) -> list[str]:
    return [p.strip() for p in option.split(",") if p.strip()] if option else []


def import_failed(config: pytest.Config, message: str) -> None:
    grading = grading_of(config)
    if grading is not None:
        grading.import_failure = message
        _absorb_remote(grading)
        write_results(grading, final=True)


# -- hooks ---------------------------------------------------------------------------------------


def pytest_collection_finish(session: pytest.Session) -> None:
    """The checks to score: those that will run (after -m, -k and deselection)."""
    grading = grading_of(session.config)
    if grading is None:
        return
    for item in session.items:
        cid, area, doc = describe(item)
        if area is None:
            continue
        grading.checks[item.nodeid] = Check(
            check=cid,
            area=area,
            description=doc,
            hidden=grading.table.is_hidden(cid),
            fixed=grading.table.fixed_points(cid),
        )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A check that would start after the time budget is spent fails, not run."""
    grading = grading_of(item.config)
    if grading is None or item.nodeid not in grading.checks:
        return
    if not grading.budget_spent():
        grading.checks_started += 1
        return
    raise pytest.fail.Exception(
        f"not run: {grading.budget_name} was spent after {grading.checks_started} of "
        f"{len(grading.checks)} checks",
        pytrace=False,
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    grading = grading_of(item.config)
    check = grading.checks.get(item.nodeid) if grading else None
    if check is None:
        return report
    check.seconds += report.duration
    if report.skipped and call.excinfo is not None and call.excinfo.errisinstance(Unsupported):
        # A depth the instructor's --hidden-layers excludes, or a name outside the API of the
        # instructor's --adapter: the check leaves the split.
        check.outcome, check.output = "skipped", _skip_reason(report)
    elif report.skipped and report.when != "teardown":
        # Every skip of a check that runs is the submission's doing (a signature it hides, a
        # forward pass too slow for the check, a value that does not come back): in grading,
        # the check fails and keeps its place in its area's split, so that skipping never
        # pays. The environment's skips (torch not installed) remove checks at collection.
        reason = _skip_reason(report).removeprefix("skipped: ").removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"not run: {reason}"
        check.outcome, check.output = "failed", f"not run: {reason}"
    elif report.failed:
        check.outcome, check.output = (
            "failed",
            student_text(call.excinfo, hidden=check.hidden, item=item),
        )
    elif report.when == "call":
        check.outcome = "passed"
    return report


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return f"skipped: {longrepr[2]}"
    return "skipped"


def pytest_sessionfinish(session: pytest.Session) -> None:
    grading = grading_of(session.config)
    if grading is None:
        return
    if impl.remote is not None:
        impl.remote.close()  # every process of the submission is gone before files are written
    _absorb_remote(grading)
    take_diagnosis(session.config, grading)
    write_results(grading, final=True)


def take_diagnosis(config: pytest.Config, grading: Grading) -> None:
    """The diagnosis for the student: a hidden check's input and hint stay hidden."""
    diagnosis, accepted = diagnosis_of(config)
    hidden = frozenset(c.check for c in grading.checks.values() if c.hidden)
    grading.diagnosis = diagnosis.lines(hidden, impl.api_names)
    grading.accepted = [f"{function}: {text}" for function, text in accepted]


def _absorb_remote(grading: Grading) -> None:
    remote = impl.remote
    if remote is None:
        return
    if remote.plan is not None:
        grading.isolation = remote.plan.isolation.line()
    grading.adapter = impl.adapter_built
    grading.forbidden += remote.new_forbidden()
    grading.submission_output = remote.output_text
    grading.submission_output_total = remote.output_total
    if remote.left_out:
        grading.notes.append(left_out_note(remote.left_out))
    if remote.deaths:
        grading.notes.append(
            f"The submission's process had to be restarted {len(remote.deaths)} time(s); "
            f"first: {remote.deaths[0]}"
        )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    grading = grading_of(terminalreporter.config)
    if grading is None:
        return
    score, max_score, per_area = compute(grading)
    write = terminalreporter.write_line
    terminalreporter.section("grading")
    for area, (got, of, passed, total) in per_area.items():
        write(f"{area:<20} {passed:>3}/{total:<3} checks  {got:7.2f} / {round(of, 2):g}")
    for line in summary_lines(grading):
        write(line)
    if grading.isolation:
        write(f"isolation: {grading.isolation}")
    if grading.adapter:
        write(f"adapter: {grading.adapter}")
    write(f"score: {score:.2f} / {round(max_score, 2):g}", bold=True)
    for fmt, path in grading.outputs.items():
        write(f"{fmt} results: {path}")
