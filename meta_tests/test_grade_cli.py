"""backprop-grade: a whole class in parallel, one isolated run each, locally or on Dask."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_helpers import check_gradescope, live_processes, sandboxed

from conftest import IMPLS, ROOT

ATTACKS = Path(__file__).resolve().parent / "attacks"
#: Fast: one area, the reference allowed (the test submissions build on it). The call limit
#: also bounds each import: scipy's can take seconds while a class run loads both cores.
OPTIONS = ["--allow-import=reference", "--call-timeout=10", "--", "-m", "softmax"]


@pytest.fixture
def classroom(tmp_path: Path) -> Path:
    """Five submissions: correct, broken in softmax, a folder with one file, a folder with two
    (which cannot be graded without --entry), and one that exits while being imported."""
    room = tmp_path / "submissions"
    room.mkdir()
    shutil.copy(IMPLS / "correct_loops.py", room / "ada.py")
    shutil.copy(IMPLS / "broken_softmax_axis1.py", room / "bob.py")
    (room / "cy").mkdir()
    shutil.copy(IMPLS / "correct_scipy.py", room / "cy" / "mlp.py")
    (room / "dee").mkdir()
    (room / "dee" / "a.py").write_text("x = 1\n")
    (room / "dee" / "b.py").write_text("y = 2\n")
    shutil.copy(ATTACKS / "attack_import_exit.py", room / "eve.py")
    return room


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def run_grade(
    args: list[str], tmpdir: Path | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """backprop-grade, with its jobs' folders in ``tmpdir`` (its TMPDIR) when given."""
    env = None if tmpdir is None else {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.run(
        [sys.executable, "-m", "conformance.grading", *args],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        cwd=cwd,
    )


def check_class(out: Path) -> dict[str, dict[str, str]]:
    rows = read_csv(out / "grades.csv")
    assert set(rows) == {"ada", "bob", "cy", "dee", "eve"}
    for name in rows:
        results = json.loads((out / name / "results.json").read_text())
        check_gradescope(results)
        assert (out / name / "log.txt").is_file()
    assert float(rows["ada"]["score"]) == pytest.approx(10.0)
    assert float(rows["ada"]["softmax"]) == pytest.approx(10.0)
    assert float(rows["cy"]["score"]) == pytest.approx(10.0)
    assert 0 < float(rows["bob"]["softmax"]) < 10 and int(rows["bob"]["failures"]) > 0
    assert float(rows["dee"]["score"]) == 0 and int(rows["dee"]["failures"]) == 1
    dee = json.loads((out / "dee" / "results.json").read_text())
    assert "--entry" in dee["tests"][0]["output"]
    assert float(rows["eve"]["score"]) == 0
    assert all(float(r["seconds"]) >= 0 for r in rows.values())
    return rows


def test_grades_a_class_in_parallel(classroom: Path, tmp_path: Path) -> None:
    out = tmp_path / "grades"
    proc = run_grade(
        [*map(str, sorted(classroom.iterdir())), "--out", str(out), "--jobs", "2", *OPTIONS]
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    check_class(out)
    assert "5/5" in proc.stderr, "the progress bar shows how far it is"
    assert "graded 5 submissions" in proc.stdout


def test_entry_names_the_file_in_folders(classroom: Path, tmp_path: Path) -> None:
    out = tmp_path / "grades"
    proc = run_grade(
        [str(classroom / "dee"), "--entry", "a.py", "--out", str(out), "--no-progress", *OPTIONS]
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((out / "dee" / "results.json").read_text())
    # a.py was graded (and defines nothing of the contract), not refused for lack of --entry.
    assert len(results["tests"]) > 1 and "--entry" not in json.dumps(results)
    assert all(t["status"] == "failed" for t in results["tests"])


def test_grades_on_a_local_dask_cluster(classroom: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="the dev extra installs it")
    out = tmp_path / "grades"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        proc = run_grade(
            [
                *map(str, sorted(classroom.iterdir())),
                "--out",
                str(out),
                f"--dask={cluster.scheduler_address}",
                "--no-progress",
                *OPTIONS,
            ]
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    check_class(out)


def test_bad_arguments_are_reported(tmp_path: Path) -> None:
    proc = run_grade(["x.py", "--out", str(tmp_path), "-q"])
    assert proc.returncode == 2 and "after --" in proc.stderr
    proc = run_grade(["x.py", "--out", str(tmp_path), "--jobs", "0"])
    assert proc.returncode == 2 and "--jobs" in proc.stderr


def test_the_instructors_files_named_relative_to_where_it_starts(tmp_path: Path) -> None:
    """--points=FILE and --adapter=FILE, named relative to the folder the class run starts
    in, reach every job (each runs in a fresh folder of its own, maybe on another machine);
    one that cannot be read is refused before anything runs."""
    grader = tmp_path / "grader"
    grader.mkdir()
    (grader / "points.toml").write_text("[areas]\nsoftmax = 30\nactivations = 3\n")
    adapter = (ROOT / "conformance" / "adapters" / "nnfs.py").read_text()
    adapter = adapter.replace("from .params import", "from conformance.adapters.params import")
    (grader / "course_adapter.py").write_text(adapter)
    out = tmp_path / "grades"
    ada = str(IMPLS / "correct_loops.py")
    proc = run_grade([ada, "--out", str(out), "--points=points.toml", *OPTIONS], cwd=grader)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert float(read_csv(out / "grades.csv")["correct_loops"]["score"]) == pytest.approx(30)
    nnfs = str(IMPLS / "nnfs" / "correct_nnfs.py")
    options = ["--adapter=course_adapter.py", "--points=points.toml", "--", "-m", "activations"]
    proc = run_grade([nnfs, "--out", str(out), *options], cwd=grader)
    assert proc.returncode == 0, proc.stderr[-3000:]
    row = read_csv(out / "grades.csv")["correct_nnfs"]
    assert float(row["activations"]) == pytest.approx(3), row
    proc = run_grade([ada, "--out", str(out), "--points=nope.toml"], cwd=grader)
    assert proc.returncode == 2 and "--points=nope.toml: cannot read" in proc.stderr


def test_grades_notebooks_and_folders_holding_one(tmp_path: Path) -> None:
    """A notebook file; a folder whose notebook imports the folder's module (the notebook is
    the entry); a folder with two notebooks, which needs --entry."""
    from notebook_helpers import write

    room = tmp_path / "submissions"
    (room / "gus").mkdir(parents=True)
    (room / "hal").mkdir()
    shutil.copy(IMPLS / "correct_loops.py", room / "gus" / "helper.py")
    write(room / "fay.ipynb", ["%matplotlib inline\nfrom reference import *", "print(softmax)"])
    write(room / "gus" / "hw.ipynb", ["from helper import *", "!ls\nhelper_loaded = True"])
    write(room / "hal" / "a.ipynb", ["x = 1"])
    write(room / "hal" / "b.ipynb", ["y = 2"])
    out = tmp_path / "grades"
    proc = run_grade([*map(str, sorted(room.iterdir())), "--out", str(out), *OPTIONS])
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = read_csv(out / "grades.csv")
    assert float(rows["fay"]["softmax"]) == pytest.approx(10.0), rows["fay"]
    assert float(rows["gus"]["softmax"]) == pytest.approx(10.0), rows["gus"]
    hal = json.loads((out / "hal" / "results.json").read_text())
    assert float(rows["hal"]["score"]) == 0 and "2 notebooks" in hal["tests"][0]["output"]


CLASS_ATTACKS = ATTACKS / "class_run"
#: What the neighbour plants (and its conftest's record of being imported), in the class
#: run's shared temp folder and above its jobs: never in this machine's real /tmp, where
#: other runs would read them.
PLANTED = ("conftest.py", "pytest.ini", "conftest.py-imported")
PLANTED_CONFTEST = "open(__file__ + '-imported', 'w').close()\n"


def _clean_planted(shared: Path) -> list[str]:
    found = [str(p) for name in PLANTED for p in shared.rglob(name)]
    for path in found:
        Path(path).unlink()
    return found


def _shared(tmp_path: Path) -> Path:
    shared = tmp_path / "shared-tmp"
    shared.mkdir(exist_ok=True)
    return shared


def _victims(room: Path) -> list[str]:
    room.mkdir(parents=True, exist_ok=True)
    names = ("victim_ada.py", "victim_bob.py", "victim_cy.py")
    for name, source in zip(names, ("correct_loops", "broken_softmax_axis1", "correct_scipy")):
        shutil.copy(IMPLS / f"{source}.py", room / name)
    return [str(room / n) for n in names]


def _scores(out: Path) -> dict[str, str]:
    return {name: row["score"] for name, row in read_csv(out / "grades.csv").items()}


def test_a_class_run_keeps_each_submission_to_itself(tmp_path: Path) -> None:
    """Graded beside a neighbour that kills workers, rewrites submissions and plants conftest
    files, every victim scores what it scores alone, nothing planted is left or imported, and
    the neighbour's daemon is gone. Under process isolation alone the same neighbour does
    harm (where the workers run as the grader's user), which shows that the attack is real.
    The runs are one after the other: the neighbour would harm the other run's victims."""
    shared = _shared(tmp_path)
    victims = _victims(tmp_path / "room")
    alone = tmp_path / "alone"
    proc = run_grade(
        [*victims, "--out", str(alone), "--jobs", "2", "--no-progress", *OPTIONS], shared
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    neighbour = tmp_path / "room" / "aaa_neighbours.py"
    shutil.copy(CLASS_ATTACKS / "neighbours.py", neighbour)
    outcome = {}
    for sandbox in ("auto", "process"):
        out = tmp_path / sandbox
        proc = run_grade(
            [
                str(neighbour),
                *victims,
                "--out",
                str(out),
                "--jobs",
                "2",
                "--no-progress",
                f"--sandbox={sandbox}",
                *OPTIONS,
            ],
            shared,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        beside = _scores(out)
        del beside["aaa_neighbours"]
        time.sleep(0.5)
        planted = _clean_planted(shared)
        left = live_processes(b"aaa_neighbours.py")
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        # The neighbour's own results say which isolation was in force (a victim's may be
        # the class run's "could not be graded").
        results = json.loads((out / "aaa_neighbours" / "results.json").read_text())
        outcome[sandbox] = (beside, planted, left, results)
    beside, planted, left, results = outcome["auto"]
    if not sandboxed(results):
        pytest.skip(f"no OS sandbox here: {results['extra_data']['isolation']}")
    assert beside == _scores(alone), (beside, _scores(alone))
    assert not planted, planted
    assert not left, f"the neighbour's daemon outlived the run: {left}"
    beside, planted, left, results = outcome["process"]
    if "grader's user" in results["extra_data"]["isolation"]:
        assert beside != _scores(alone) or planted, "the attack did nothing, so it proves nothing"


def test_a_submission_cannot_reach_the_dask_cluster_grading_it(tmp_path: Path, monkeypatch) -> None:
    """Graded on a local Dask cluster beside a submission that connects to the scheduler and
    runs code on every Dask worker (a marker, and every later results file read there turned
    into a perfect score): in the OS sandbox it reaches nothing, and every score is what it is
    without it. Under process isolation alone it reaches the cluster (the attack is real)."""
    distributed = pytest.importorskip("distributed", reason="the dev extra installs it")
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv("BP_DASK_MARKER_DIR", str(markers))  # the Dask workers inherit it
    victims = _victims(tmp_path / "room")
    attacker = tmp_path / "room" / "aaa_dask.py"
    shutil.copy(CLASS_ATTACKS / "dask_workers.py", attacker)
    alone = tmp_path / "alone"
    proc = run_grade([*victims, "--out", str(alone), "--jobs", "2", "--no-progress", *OPTIONS])
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = {**_scores(alone), "aaa_dask": "10.0"}  # its own work is the reference's
    outcome = {}
    for sandbox in ("auto", "process"):
        out = tmp_path / sandbox
        # A fresh cluster each time: a patched Dask worker stays patched.
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            # The attacker first, alone, so that its daemon has the cluster to itself.
            for batch in ([attacker], victims):
                proc = run_grade(
                    [
                        *map(str, batch),
                        "--out",
                        str(out),
                        f"--dask={cluster.scheduler_address}",
                        "--no-progress",
                        f"--sandbox={sandbox}",
                        *OPTIONS,
                    ]
                )
                assert proc.returncode == 0, proc.stderr[-3000:]
                time.sleep(0 if batch is victims else 5)
        reached = sorted(p.name for p in markers.iterdir())
        for path in markers.iterdir():
            path.unlink()
        left = live_processes(b"aaa_dask.py")
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        results = json.loads((out / "aaa_dask" / "results.json").read_text())
        scores = {**_scores(out), "aaa_dask": f"{results['score']:.1f}"}
        outcome[sandbox] = (scores, reached, left, results)
    scores, reached, left, results = outcome["auto"]
    if not sandboxed(results):
        pytest.skip(f"no OS sandbox here: {results['extra_data']['isolation']}")
    assert not reached, f"the submission ran code on Dask workers: {reached}"
    assert scores == expected, (scores, expected)
    assert not left, f"the attack's daemon outlived the run: {left}"
    scores, reached, left, results = outcome["process"]
    assert reached, "under process isolation the attack reached no Dask worker: it proves nothing"


def test_conftest_and_ini_files_above_a_job_are_never_read(tmp_path: Path) -> None:
    """What a submission under process isolation could plant in the shared temp folder (or
    anyone could leave there): a conftest.py that records being imported and a pytest.ini that
    would make it the rootdir. A class run reads neither."""
    shared = _shared(tmp_path)
    (shared / "conftest.py").write_text(PLANTED_CONFTEST)
    (shared / "pytest.ini").write_text("[pytest]\naddopts = -p no:conformance\n")
    room = tmp_path / "room"
    room.mkdir()
    shutil.copy(IMPLS / "correct_loops.py", room / "ada.py")
    out = tmp_path / "grades"
    proc = run_grade([str(room / "ada.py"), "--out", str(out), "--no-progress", *OPTIONS], shared)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _scores(out) == {"ada": "10.0"}
    assert not (shared / "conftest.py-imported").exists(), "the planted conftest.py was imported"


def test_a_job_past_its_timeout_leaves_no_process(tmp_path: Path) -> None:
    """A submission that leaves a daemon and is slow enough to trip --timeout: the job's
    grader is killed, and with it every process of the submission."""
    room = tmp_path / "room"
    room.mkdir()
    shutil.copy(CLASS_ATTACKS / "outlives_timeout.py", room / "slowpoke.py")
    out = tmp_path / "grades"
    proc = run_grade(
        [str(room / "slowpoke.py"), "--out", str(out), "--timeout", "20", "--no-progress", *OPTIONS]
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((out / "slowpoke" / "results.json").read_text())
    assert "longer than 20" in results["output"], results["output"]
    time.sleep(0.5)
    left = live_processes(b"slowpoke.py")
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"the submission's daemon outlived the job: {left}"


@pytest.mark.skipif(os.geteuid() != 0, reason="--worker-user needs a root grader")
def test_worker_user_reads_its_private_copy(tmp_path: Path) -> None:
    """--worker-user: the job's folder is the grader's alone (0700), and the worker reads the
    private copy it was given (before, every submission scored 0)."""
    import pwd

    try:
        user = pwd.getpwnam("nobody").pw_name
    except KeyError:
        pytest.skip("no user 'nobody' here")
    room = tmp_path / "room"
    room.mkdir()
    shutil.copy(IMPLS / "correct_loops.py", room / "ada.py")
    out = tmp_path / "grades"
    proc = run_grade(
        [str(room / "ada.py"), "--out", str(out), "--no-progress", f"--worker-user={user}",
         *OPTIONS]
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((out / "ada" / "results.json").read_text())
    if "cannot run this Python" in results["output"]:
        return  # process isolation where Python lives in root's home: refused, saying why
    assert _scores(out) == {"ada": "10.0"}, results["output"][-2000:]


def test_dask_tls_options_reach_the_client(monkeypatch) -> None:
    """--dask-tls-*: the scheduler connection requires TLS with those files."""
    distributed = pytest.importorskip("distributed", reason="the dev extra installs it")
    from conformance.grading import cli

    seen = {}

    class FakeClient:
        def __init__(self, address, security=None):
            seen["address"], seen["security"] = address, security

        def get_executor(self, pure):
            return None

    monkeypatch.setattr(distributed, "Client", FakeClient)
    args = cli.argparse.Namespace(
        dask="tls://scheduler:8786",
        dask_tls_ca="ca.pem",
        dask_tls_cert="cert.pem",
        dask_tls_key="key.pem",
        jobs=1,
    )
    cli.executor_for(args)
    security = seen["security"]
    assert seen["address"] == "tls://scheduler:8786"
    assert security.require_encryption and security.tls_ca_file == "ca.pem"
    assert security.tls_client_cert == "cert.pem" and security.tls_client_key == "key.pem"


def test_a_class_run_takes_no_link_out_of_a_submission(tmp_path: Path) -> None:
    """backprop-grade reads each submission with the grader's rights: a link that leads out of
    the submission's folder (to the kit's reference, to /etc) is not read, and is named; a
    link to another file of the folder is taken as that file; a fifo is never opened."""
    from conformance.grading.submissions import collect
    from conftest import ROOT

    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "mlp.py").write_text("from helpers import *\n")
    (folder / "helpers.py").symlink_to(ROOT / "reference" / "functions.py")
    (folder / "notes.txt").symlink_to("/etc/hostname")
    (folder / "same.py").symlink_to(folder / "mlp.py")
    os.mkfifo(folder / "pipe.txt")
    single = tmp_path / "single.py"
    single.symlink_to(ROOT / "reference" / "network.py")
    [(_, files, entry, problem, left_out), one] = collect([str(folder), str(single)], "mlp.py")
    assert set(files) == {"mlp.py", "same.py"} and files["same.py"] == files["mlp.py"]
    assert problem is None and entry == "mlp.py"
    assert "helpers.py (a link to a file outside the submission's folder)" in left_out
    assert "notes.txt (a link to a file outside the submission's folder)" in left_out
    assert "pipe.txt (not a regular file)" in left_out
    assert one[1] == {} and "grading does not follow it" in one[3]


def test_row_names_differ_and_do_not_depend_on_the_order(tmp_path: Path) -> None:
    """alice.py, alice.ipynb and a file a student named alice-2.py: each keeps a row of its
    own, whatever the order of the arguments (a counter gave alice-2.py's row to the
    notebook); folders of one name in two places are told apart by their path."""
    from conformance.grading.submissions import row_names

    for name in ("alice.py", "alice.ipynb", "alice-2.py", "bob.py"):
        (tmp_path / name).touch()
    (tmp_path / "a" / "alice").mkdir(parents=True)
    (tmp_path / "b" / "alice").mkdir(parents=True)
    paths = [str(tmp_path / n) for n in ("alice.py", "alice.ipynb", "alice-2.py", "bob.py")]
    named = dict(zip(paths, row_names(paths)))
    assert list(named.values()) == ["alice.py", "alice.ipynb", "alice-2", "bob"]
    assert dict(zip(paths[::-1], row_names(paths[::-1]))) == named
    folders = [str(tmp_path / "a" / "alice"), str(tmp_path / "b" / "alice")]
    assert row_names(folders) == ["a__alice", "b__alice"]
