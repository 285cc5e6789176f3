"""backprop-grade: a whole class in parallel, one isolated run each, locally or on Dask."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from grading_helpers import check_gradescope

from conftest import IMPLS

ATTACKS = Path(__file__).resolve().parent / "attacks"
#: Fast: one area, the reference allowed (the test submissions build on it).
OPTIONS = ["--allow-import=reference", "--call-timeout=2", "--", "-m", "softmax"]


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


def run_grade(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance.grading", *args],
        capture_output=True,
        text=True,
        timeout=900,
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
