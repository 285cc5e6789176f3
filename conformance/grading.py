"""Grading mode (``pytest --grading``): points, student-facing feedback, results files.

The submission runs only in a worker process (``conformance.isolation``); this module turns the
outcome of each check into points (``points.toml``, overridable with ``--points``) and writes
Gradescope's and PrairieLearn's results files. The files are written once when grading starts
(saying it did not finish) and replaced atomically at the end, after every process of the
submission is gone, so a submission can neither leave a results file of its own nor stop one
from being written.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import tomllib

from conformance.isolation import KIT_MODULES, SubmissionDied, SubmissionError, SubmissionRaised

DEFAULT_POINTS = Path(__file__).with_name("points.toml")
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
#: Longest output shown for one check.
MAX_OUTPUT = 4000


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


# -- the points table ---------------------------------------------------------------------------


@dataclass
class Table:
    areas: dict[str, float]
    checks: dict[str, float]
    hidden: list[str]
    hidden_visibility: str
    forbid: list[str]
    allow: list[str]
    call_timeout: float
    memory_mb: int

    def fixed_points(self, check: str) -> float | None:
        for pattern, points in self.checks.items():
            if fnmatch.fnmatchcase(check, pattern):
                return points
        return None

    def is_hidden(self, check: str) -> bool:
        return any(fnmatch.fnmatchcase(check, p) for p in self.hidden)


def load_table(path: str | None, areas: dict[str, str]) -> Table:
    """The default table, overridden key by key by ``path``; UsageError naming what is wrong."""
    data = tomllib.loads(DEFAULT_POINTS.read_text())
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text())
        except OSError as err:
            raise pytest.UsageError(f"--points={path}: cannot read it ({err.strerror})") from None
        except tomllib.TOMLDecodeError as err:
            raise pytest.UsageError(f"--points={path}: not valid TOML ({err})") from None
        unknown = set(user) - {"areas", "checks", "grading"}
        if unknown:
            raise pytest.UsageError(f"--points={path}: unknown table(s) {sorted(unknown)}")
        for key in ("areas", "checks", "grading"):
            if not isinstance(user.get(key, {}), dict):
                raise pytest.UsageError(f"--points={path}: [{key}] must be a table")
            data[key] = {**data.get(key, {}), **user.get(key, {})}
    where = path or str(DEFAULT_POINTS)
    bad_areas = set(data["areas"]) - set(areas)
    if bad_areas:
        raise pytest.UsageError(
            f"--points={where}: unknown area(s) {sorted(bad_areas)}; the areas are {list(areas)}"
        )
    for table in ("areas", "checks"):
        for key, value in data[table].items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise pytest.UsageError(f"--points={where}: [{table}] {key!r} must be points ≥ 0")
    grading = data["grading"]
    for key in ("hidden", "forbid", "allow"):
        if not isinstance(grading.get(key), list) or not all(
            isinstance(v, str) for v in grading[key]
        ):
            raise pytest.UsageError(f"--points={where}: [grading] {key} must be a list of strings")
    if grading.get("hidden_visibility") not in VISIBILITIES:
        raise pytest.UsageError(
            f"--points={where}: [grading] hidden_visibility must be one of {VISIBILITIES}"
        )
    return Table(
        areas={k: float(v) for k, v in data["areas"].items()},
        checks={k: float(v) for k, v in data["checks"].items()},
        hidden=grading["hidden"],
        hidden_visibility=grading["hidden_visibility"],
        forbid=grading["forbid"],
        allow=grading["allow"],
        call_timeout=float(grading.get("call_timeout", 10.0)),
        memory_mb=int(grading.get("memory_mb", 4096)),
    )


# -- outcomes ------------------------------------------------------------------------------------


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

    @property
    def bypassed(self) -> bool:
        """A forbidden package was loaded by going around the refusal (the worker says so)."""
        return any(a.get("where", "").startswith("loaded although") for a in self.forbidden)


_grading = pytest.StashKey[Grading]()


def grading_of(config: pytest.Config) -> Grading | None:
    return config.stash.get(_grading, None)


def check_id(item: pytest.Item) -> str:
    module = getattr(item, "module", None)
    name = module.__name__.rsplit(".", 1)[-1] if module is not None else item.path.stem
    return f"{name}::{item.name}"


def settings_for(config: pytest.Config, areas: dict[str, str], spec: str | None) -> Any:
    """Validate the grading options, prepare the results files, return the worker settings."""
    from conformance.isolation import Settings

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
    config.stash[_grading] = grading
    write_results(grading, final=False)
    return Settings(
        path=None,
        module=None,
        sys_path=[],
        forbid=sorted(set(forbid)),
        call_timeout=table.call_timeout,
        memory_mb=table.memory_mb,
        user=user,
    )


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


def describe(item: pytest.Item) -> tuple[str, str | None, str]:
    """(check id, area marker or None, first line of the docstring) of a collected check."""
    from conformance.plugin import AREAS

    area = next((m.name for m in item.iter_markers() if m.name in AREAS), None)
    doc = (getattr(getattr(item, "obj", None), "__doc__", None) or "").strip()
    return check_id(item), area, doc.split("\n")[0]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    grading = grading_of(item.config)
    check = grading.checks.get(item.nodeid) if grading else None
    if check is None:
        return report
    check.seconds += report.duration
    if report.skipped:
        check.outcome, check.output = "skipped", _skip_reason(report)
    elif report.failed:
        check.outcome, check.output = "failed", student_text(call.excinfo, hidden=check.hidden)
    elif report.when == "call":
        check.outcome = "passed"
    return report


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return f"skipped: {longrepr[2]}"
    return "skipped"


def student_text(excinfo: pytest.ExceptionInfo[BaseException] | None, *, hidden: bool) -> str:
    """What the student sees for a failed check: the kit's message with its hint and
    reproduction, or the submission's own error and traceback; for a hidden check, only
    that it failed (and whether the submission raised)."""
    if excinfo is None:
        return "failed"
    err = excinfo.value
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
    if len(text) > MAX_OUTPUT:
        text = text[:MAX_OUTPUT] + "\n… (cut)"
    return text


def pytest_sessionfinish(session: pytest.Session) -> None:
    grading = grading_of(session.config)
    if grading is None:
        return
    from conformance._impl import impl

    if impl.remote is not None:
        impl.remote.close()  # every process of the submission is gone before files are written
    _absorb_remote(grading)
    write_results(grading, final=True)


def _absorb_remote(grading: Grading) -> None:
    from conformance._impl import impl

    remote = impl.remote
    if remote is None:
        return
    grading.forbidden += remote.new_forbidden()
    grading.submission_output = remote.output_text
    grading.submission_output_total = remote.output_total
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
        write(f"{area:<20} {passed:>3}/{total:<3} checks  {got:7.2f} / {of:g}")
    for line in _summary_lines(grading):
        write(line)
    write(f"score: {score:.2f} / {max_score:g}", bold=True)
    for fmt, path in grading.outputs.items():
        write(f"{fmt} results: {path}")


# -- scores and files ----------------------------------------------------------------------------


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


def _summary_lines(grading: Grading) -> list[str]:
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
    output = "\n".join(_summary_lines(grading))
    if grading.submission_output:
        output += "\n\nWhat your code printed (start):\n" + grading.submission_output[:4000]
    return {
        "score": score,
        "execution_time": elapsed,
        "output": output.strip(),
        "visibility": "visible",
        "stdout_visibility": "hidden",
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
        "message": "\n".join(_summary_lines(grading)),
        "output": grading.submission_output[:4000],
        "tests": tests,
    }


def write_results(grading: Grading, final: bool) -> None:
    for fmt, path in grading.outputs.items():
        data = (gradescope if fmt == "gradescope" else prairielearn)(grading, final)
        write_atomically(path, json.dumps(data, indent=1, allow_nan=False).encode())


def write_atomically(path: Path, data: bytes) -> None:
    """Replace whatever is at ``path`` (a submission may have put a file, a link or a folder
    there) with ``data``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    parent = path.parent
    if not os.access(parent, os.W_OK):
        os.chmod(parent, parent.stat().st_mode | stat.S_IWUSR)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would hide the file from the platform's other users
    os.replace(tmp, path)
