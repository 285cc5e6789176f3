"""Grade a whole class: ``backprop-grade SUBMISSIONS... --out DIR --jobs N``.

Each submission (a .py file or a notebook, or a folder holding one) is graded by its own
``pytest --grading`` process, so one bad submission never affects another; that process in
turn runs the submission only in its isolated worker. Results land in ``DIR/<name>/``
(``results.json`` in Gradescope's format and ``log.txt``), plus one ``DIR/grades.csv``.

The work goes through a ``concurrent.futures`` executor: a local pool by default, or a Dask
distributed cluster with ``--dask=ADDRESS`` (``pip install "backprop-conformance[dask]"``).
The function sent to the executor carries the submission's files and returns the results, so
a Dask worker needs no shared file system.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.grading.submissions import collect, row_names

#: grades.csv's columns of where a submission's seconds went: the rest (starting pytest and
#: the kit, writing the results), importing the submission in its worker, the checks, the
#: report's figures (with --report).
TIMING = ("startup_seconds", "import_seconds", "checks_seconds", "figures_seconds")
#: Options whose value is a file of the instructor's: it travels with every job (whose folder
#: is a fresh one, on a Dask worker without this file system), and the option names its copy.
CARRIED = ("--points", "--adapter")


@dataclass
class Job:
    """One submission to grade: its name, its files (relative path → bytes), the file to pass
    as --impl, and the pytest options shared by every job."""

    name: str
    files: dict[str, bytes]
    entry: str | None
    options: list[str]
    timeout: float
    problem: str | None = None  # why it cannot be graded at all (then nothing runs)
    left_out: list[str] | None = None  # files of the submission not sent, and why
    #: The instructor's files the options name (CARRIED), by their path in the job's folder.
    grader_files: dict[str, bytes] | None = None


def grade_one(job: Job) -> dict[str, Any]:
    """Grade one submission in a fresh folder; return its results file, log and timing.
    Runs wherever the executor puts it (this process's pool, or a Dask worker).

    The folder is the grader's alone (0700): the worker never reads it (it gets a private
    copy of the submission, see conformance.sandbox.private), and the results file is read
    from it only after the job's sandbox, and every process of the submission, is gone."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bp-grade-") as tmp:
        root = Path(tmp)
        (root / "tmp").mkdir()
        submission = root / "submission"
        submission.mkdir()
        for rel, data in job.files.items():
            path = (submission / rel).resolve()
            if submission.resolve() not in path.parents:
                continue  # no writing outside the folder through "../"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        for rel, data in (job.grader_files or {}).items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        results = root / "results.json"
        log = ""
        if job.problem is None:
            log = _run_grader(job, root, submission / str(job.entry), results)
        try:
            data = json.loads(results.read_text())
        except (OSError, ValueError):
            data = None
        if data is None or (not data.get("tests") and "did not finish" in data.get("output", "")):
            last = log.strip().splitlines()[-1:]
            data = _failure(job.problem or (last[0] if last else "no results"), data)
        if job.left_out:
            from conformance.sandbox.private import left_out_note

            data["output"] = left_out_note(job.left_out) + "\n" + data.get("output", "")
    return {"name": job.name, "results": data, "log": log, "seconds": time.monotonic() - start}


def carry_files(options: list[str], here: Path) -> tuple[list[str], dict[str, bytes]]:
    """``options`` with the value of each CARRIED option (``--points=FILE``; ``--adapter=FILE``,
    not a shipped adapter's name) replaced by its copy's path in a job's folder, and the files'
    bytes by that path; OSError naming the option for a file that cannot be read."""
    from conformance.adapters import SHIPPED

    carried, files = [], {}
    for option in options:
        name, equals, value = option.partition("=")
        if name in CARRIED and equals and not (name == "--adapter" and value in SHIPPED):
            path = here / value  # an absolute value stays itself
            try:
                data = path.read_bytes()
            except OSError as err:
                raise OSError(f"{option}: cannot read {path} ({err.strerror})") from None
            copy = f"grader/{name.lstrip('-')}/{path.name}"
            files[copy] = data
            option = f"{name}={copy}"
        carried.append(option)
    return carried, files


def pinned_options() -> list[str]:
    """The kit's package as the one test path, and pytest's configuration, rootdir and
    conftest discovery pinned to it, so that nothing planted above a job's folder is read or
    imported. (The path, not ``--pyargs conformance``: with no test path that exists in the
    working folder, pytest looks for conftest.py files above the working folder, and
    --confcutdir stops only those above itself.)"""
    import conformance

    package = Path(conformance.__file__).resolve().parent
    return [
        str(package),
        "-c",
        str(package / "grading" / "grading.ini"),
        f"--rootdir={package}",
        f"--confcutdir={package}",
        "-p",
        "no:cacheprovider",
    ]


def _run_grader(job: Job, cwd: Path, impl: Path, results: Path) -> str:
    """One ``pytest --grading`` run; returns its output (the end of it) as the log."""
    from conformance.sandbox.namespaces import dedicated_uid
    from conformance.sandbox.process import kill_uid

    # A root grader names the job's worker uid, so that it can kill every process of the
    # job (however it forked) if the job runs past its time limit.
    uid = None if any(o.startswith("--worker-user") for o in job.options) else dedicated_uid()
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        *pinned_options(),
        "--grading",
        f"--impl={impl}",
        f"--gradescope-json={results}",
        "-q",
        "--no-header",
        *([f"--worker-uid={uid}"] if uid is not None else []),
        *job.options,
    ]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("PYTEST_") and k not in ("TMPDIR", "TEMP", "TMP")
    }
    env |= {"TMPDIR": str(cwd / "tmp"), "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=job.timeout,
        )
    except subprocess.TimeoutExpired:
        return f"grading took longer than {job.timeout:g} s and was stopped"
    finally:
        if uid is not None:
            kill_uid(uid)
    return (proc.stdout + proc.stderr).decode("utf-8", "replace")[-200_000:]


def _failure(reason: str, earlier: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "score": 0.0,
        "output": f"The submission could not be graded: {reason}",
        "tests": [
            {
                "name": "The submission can be graded",
                "score": 0.0,
                "max_score": 0.0,
                "status": "failed",
                "output": reason,
                "visibility": "visible",
            }
        ],
        **({"execution_time": earlier["execution_time"]} if earlier else {}),
    }


def area_points(results: dict[str, Any]) -> dict[str, float]:
    points: dict[str, float] = {}
    for test in results.get("tests", []):
        for tag in test.get("tags", []):
            points[tag] = points.get(tag, 0.0) + float(test.get("score", 0.0))
    return points


def executor_for(args: argparse.Namespace) -> tuple[concurrent.futures.Executor, Any]:
    """A local pool, or a Dask cluster's executor (and its client, to close)."""
    if args.dask:
        try:
            from distributed import Client
        except ImportError:
            sys.exit(
                "backprop-grade: --dask needs the distributed package: "
                'pip install "backprop-conformance[dask]"'
            )
        security = None
        if args.dask_tls_ca or args.dask_tls_cert or args.dask_tls_key:
            from distributed.security import Security

            security = Security(
                tls_ca_file=args.dask_tls_ca,
                tls_client_cert=args.dask_tls_cert,
                tls_client_key=args.dask_tls_key,
                require_encryption=True,
            )
        # Without the options, Dask's own configuration (distributed.comm.tls.*) applies.
        client = Client(args.dask, security=security)
        return client.get_executor(pure=False), client
    # Threads suffice: each job's work is a child process.
    return concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs), None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="backprop-grade",
        description="Grade many submissions with the backprop conformance kit, each in its "
        "own isolated run; writes DIR/<name>/results.json and DIR/grades.csv. Options of "
        "grading mode (--points, --forbid, --call-timeout, ...) pass through to pytest, as "
        "does everything after --.",
    )
    parser.add_argument(
        "submissions", nargs="+", help=".py files, notebooks or folders, one per student"
    )
    parser.add_argument("--out", required=True, help="folder for the results")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="submissions graded at once (default: CPU count)",
    )
    parser.add_argument(
        "--dask",
        metavar="SCHEDULER",
        default=None,
        help="grade on a Dask distributed cluster at this address",
    )
    for name, what in (
        ("ca", "the certificate authority's file"),
        ("cert", "this client's certificate"),
        ("key", "this client's private key"),
    ):
        parser.add_argument(
            f"--dask-tls-{name}",
            metavar="FILE",
            default=None,
            help=f"TLS for the Dask scheduler connection: {what} (the scheduler must not be "
            "reachable unauthenticated by anything but the grader)",
        )
    parser.add_argument(
        "--entry",
        metavar="FILE",
        default=None,
        help="in folder submissions, the file to grade (default: the only .py)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        help="seconds one submission may take in all (default: 1800)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    argv = sys.argv[1:] if argv is None else list(argv)
    # Grading options of pytest (--points, --forbid, ...) pass through; anything after "--"
    # goes to pytest as it is (e.g. -- -m "softmax or training").
    tail = argv[argv.index("--") + 1 :] if "--" in argv else []
    head = argv[: argv.index("--")] if "--" in argv else argv
    args, pytest_options = parser.parse_known_args(head)
    unknown = [o for o in pytest_options if not o.startswith("--")]
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)} (pytest's own go after --)")
    pytest_options += tail
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    try:
        pytest_options, grader_files = carry_files(pytest_options, Path.cwd())
    except OSError as err:
        parser.error(str(err))

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = []
    submissions = list(dict.fromkeys(args.submissions))  # one given twice is graded once
    found = collect(submissions, args.entry)
    paths = {}
    for name, (_, files, entry, problem, left_out) in zip(row_names(submissions), found):
        paths[name] = submissions[len(jobs)]
        jobs.append(
            Job(name, files, entry, pytest_options, args.timeout, problem, left_out, grader_files)
        )

    from conformance.contract import AREAS

    executor, client = executor_for(args)
    rows = []
    try:
        futures = {executor.submit(grade_one, job): job for job in jobs}
        done = concurrent.futures.as_completed(futures)
        if not args.no_progress:
            from tqdm import tqdm

            done = tqdm(done, total=len(futures), unit="submission", desc="grading")
        for future in done:
            job = futures[future]
            try:
                result = future.result()
            except Exception as err:  # the executor itself failed (e.g. a lost Dask worker)
                result = {
                    "name": job.name,
                    "results": _failure(repr(err), None),
                    "log": "",
                    "seconds": 0.0,
                }
            rows.append(_write_one(out, result, AREAS))
    finally:
        executor.shutdown(wait=True)
        if client is not None:
            client.close()

    for row in rows:
        row["path"] = paths[row["submission"]]
    rows.sort(key=lambda r: r["submission"])
    fields = ["submission", "path", "score", *AREAS, "failures", "seconds", *TIMING]
    with open(out / "grades.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    print(f"graded {len(rows)} submissions: {out / 'grades.csv'}")
    return 0


def _write_one(out: Path, result: dict[str, Any], areas: Iterable[str]) -> dict[str, Any]:
    folder = out / result["name"]
    folder.mkdir(parents=True, exist_ok=True)
    results = result["results"]
    (folder / "results.json").write_text(json.dumps(results, indent=1))
    (folder / "log.txt").write_text(result["log"])
    per_area = area_points(results)
    row = {
        "submission": result["name"],
        "score": round(float(results.get("score", 0.0)), 4),
        "failures": sum(t.get("status") == "failed" for t in results.get("tests", [])),
        "seconds": round(result["seconds"], 2),
    }
    row |= {area: round(per_area.get(area, 0.0), 4) for area in areas}
    spent = (results.get("extra_data") or {}).get("seconds") or {}
    parts = {k: float(spent.get(k.split("_")[0], 0.0)) for k in TIMING[1:]}
    row |= {k: round(v, 2) for k, v in parts.items()}
    row["startup_seconds"] = round(max(0.0, result["seconds"] - sum(parts.values())), 2)
    return row


if __name__ == "__main__":
    sys.exit(main())
