"""Grading mode: full marks for correct code, lost points in the right area for broken code,
valid results files whatever happens, and the instructor's options (points file, hidden
checks, forbidden imports)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from grading_helpers import grade, sandboxed, worker_processes

from conftest import IMPLS, ROOT, expected_area

CORRECT = [None, *sorted(IMPLS.glob("correct_*.py"))]
BROKEN = sorted(IMPLS.glob("broken_*.py"))
#: The broken implementations build on the reference, which grading refuses by default.
ALLOW_REFERENCE = "--allow-import=reference"


def _name(path: Path | None) -> str:
    return "reference" if path is None else path.stem


#: Correct, but a forward pass of the large networks takes it about a minute: in grading, its
#: two large-network checks fail as "not run" (were they skipped, a submission could choose
#: its own split by being slow where it is wrong), 2 of the gradients area's 10 checks.
TOO_SLOW_FOR_THE_LARGE_NETWORKS = {"correct_micrograd_engine": 100.0 - 20.0 * 2 / 10}


@pytest.mark.parametrize("path", CORRECT, ids=_name)
def test_correct_implementation_gets_full_marks(pytester, path: Path | None) -> None:
    graded = grade(pytester, path, ALLOW_REFERENCE, profile=None)
    if _name(path) in TOO_SLOW_FOR_THE_LARGE_NETWORKS:
        failed = graded.failed()
        assert len(failed) == 2, failed
        for test in failed:
            assert "large_network" in test["name"], test["name"]
            assert test["output"].startswith("not run: net.forward is too slow"), test["output"]
        expected = TOO_SLOW_FOR_THE_LARGE_NETWORKS[_name(path)]
        assert graded.score == pytest.approx(expected, abs=1e-4)
        assert graded.prairielearn["score"] == pytest.approx(expected / 100, abs=1e-6)
        return
    assert graded.result.ret == pytest.ExitCode.OK, graded.result.stdout.str()[-3000:]
    assert graded.score == pytest.approx(100.0), graded.failed()[:3]
    assert graded.prairielearn["score"] == pytest.approx(1.0)
    assert graded.prairielearn["gradable"] is True
    assert len(graded.gradescope["tests"]) >= 140
    assert not worker_processes(None)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem.removeprefix("broken_"))
def test_broken_implementation_loses_points_in_its_area(pytester, path: Path) -> None:
    area = expected_area(path)
    graded = grade(pytester, path, ALLOW_REFERENCE, "-m", area)
    if "import conformance" in path.read_text():
        # A submission that imports the kit is refused outright: no points anywhere.
        assert graded.score == 0 and graded.prairielearn["gradable"] is False
        return
    got, of = graded.area(area)
    assert of > 0 and got < of - 1e-9, f"{path.name}: {got} of {of} points in {area}"


def test_grading_the_reference_by_default_needs_no_impl(pytester) -> None:
    graded = grade(pytester, None, "-m", "softmax")
    assert graded.area("softmax") == pytest.approx((10.0, 10.0))
    assert graded.result.ret == pytest.ExitCode.OK


def test_grader_never_imports_the_submission(pytester) -> None:
    """The submission says where it runs in what it prints (it cannot write outside its
    sandbox): never in the grader's process."""
    import os
    import re

    sub = pytester.makepyfile(
        submission="""
        import os
        from reference import *
        print(f"imported in {os.getpid()} on {os.uname().nodename}")
        """
    )
    graded = grade(pytester, sub, ALLOW_REFERENCE, "-m", "softmax")
    assert graded.area("softmax")[0] == pytest.approx(10.0)
    found = re.findall(r"imported in (\d+) on (\S+)", graded.gradescope["output"])
    assert found, graded.gradescope["output"][-2000:]
    here = (str(os.getpid()), os.uname().nodename)
    assert here not in found, "the submission ran in the grader's process"


def test_submission_that_does_not_import_gets_one_row_saying_why(pytester) -> None:
    sub = pytester.makepyfile(submission="import numpy as np\n\nraise ValueError('oops')\n")
    graded = grade(pytester, sub, "-m", "softmax")
    assert graded.result.ret == pytest.ExitCode.USAGE_ERROR
    assert graded.score == 0
    (row,) = graded.gradescope["tests"]
    assert row["visibility"] == "visible" and "ValueError: oops" in row["output"]
    assert "submission.py" in row["output"]  # the student's own line, not the grader's
    assert graded.prairielearn["gradable"] is False
    assert "ValueError: oops" in graded.prairielearn["message"]


def test_missing_file_still_writes_results(pytester) -> None:
    graded = grade(pytester, pytester.path / "nothing.py", "-m", "softmax")
    assert graded.score == 0 and "no such file" in graded.gradescope["tests"][0]["output"]


def test_failed_check_shows_input_expected_and_hint(pytester) -> None:
    graded = grade(pytester, IMPLS / "broken_softmax_axis1.py", ALLOW_REFERENCE, "-m", "softmax")
    outputs = [t["output"] for t in graded.failed()]
    assert outputs and all(o.strip() for o in outputs)
    assert any("but should be" in o and "reproduce:" in o for o in outputs), outputs[0]
    assert not any("def test_" in o for o in outputs), "the kit's source leaked into feedback"


def test_submission_errors_show_the_students_own_traceback(pytester) -> None:
    sub = pytester.makepyfile(
        submission="""
        from reference import *

        def softmax(z):
            return helper(z)

        def helper(z):
            raise ValueError("not yet")
        """
    )
    graded = grade(pytester, sub, ALLOW_REFERENCE, "-m", "softmax")
    output = graded.failed()[0]["output"]
    assert "softmax raised ValueError: not yet" in output
    assert "in helper" in output and "submission.py" in output
    assert "worker.py" not in output and "conformance" not in output


def test_points_file_sets_areas_checks_and_hidden_checks(pytester) -> None:
    points = pytester.path / "points.toml"
    points.write_text(
        textwrap.dedent(
            """
            [areas]
            softmax = 30
            [checks]
            "test_softmax::test_known_values*" = 7
            [grading]
            hidden = ["test_softmax::test_columns_sum*"]
            hidden_visibility = "after_due_date"
            """
        )
    )
    graded = grade(
        pytester, IMPLS / "broken_softmax_global_sum.py", ALLOW_REFERENCE, f"--points={points}",
        "-m", "softmax",
    )  # fmt: skip
    tests = graded.gradescope["tests"]
    fixed = [t for t in tests if "test_known_values" in t["name"]]
    assert fixed and all(t["max_score"] == 7 for t in fixed)
    shared = [t for t in tests if "test_known_values" not in t["name"]]
    assert sum(t["max_score"] for t in shared) == pytest.approx(30)
    hidden = [t for t in tests if "test_columns_sum" in t["name"]]
    assert hidden and all(t["visibility"] == "after_due_date" for t in hidden)
    failed_hidden = [t for t in hidden if t["status"] == "failed"]
    assert failed_hidden, "the planted bug should fail a hidden check"
    for t in failed_hidden:
        assert "should be" not in t["output"] and "reproduce" not in t["output"]
        assert "np.array" not in t["output"] and "hidden" in t["output"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("[areas]\nsoftmx = 3\n", "unknown area"),
        ("[areas]\nsoftmax = -1\n", "points ≥ 0"),
        ("[grading]\nhidden_visibility = 'sometimes'\n", "hidden_visibility"),
        ("[areas\n", "not valid TOML"),
    ],
)
def test_bad_points_file_is_a_usage_error(pytester, run_suite, content, message) -> None:
    points = pytester.path / "points.toml"
    points.write_text(content)
    result = run_suite("--grading", f"--points={points}", "-m", "softmax")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()


def test_forbidden_import_is_refused_and_reported(pytester) -> None:
    sub = pytester.makepyfile(
        submission="""
        from reference import *
        try:
            import scipy.special as _sp
        except ImportError:
            _sp = None

        def sigmoid(z):
            return _sp.expit(z)
        """
    )
    graded = grade(pytester, sub, ALLOW_REFERENCE, "--forbid=scipy,jax", "-m", "activations")
    rows = [t for t in graded.gradescope["tests"] if "From-scratch" in t["name"]]
    assert len(rows) == 1 and "scipy" in rows[0]["name"] and "submission.py:3" in rows[0]["output"]
    sigmoid_rows = [t for t in graded.gradescope["tests"] if "[sigmoid]" in t["name"]]
    assert sigmoid_rows and all(t["status"] == "failed" for t in sigmoid_rows)
    assert "scipy" in graded.prairielearn["message"]


GOES_AROUND_THE_REFUSAL = """
    import sys
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "Forbidden"]
    import scipy.special
    from reference import *
    """


def test_going_around_the_refusal_scores_zero(pytester) -> None:
    """Process isolation: the worker notices the forbidden package it loaded anyway."""
    sub = pytester.makepyfile(submission=GOES_AROUND_THE_REFUSAL)
    graded = grade(
        pytester, sub, ALLOW_REFERENCE, "--forbid=scipy", "--sandbox=process", "-m", "softmax"
    )
    assert graded.score == 0
    assert graded.area("softmax")[1] == pytest.approx(10.0)
    assert "going around the refusal" in graded.gradescope["output"]


def test_a_forbidden_package_is_absent_from_the_sandbox(pytester) -> None:
    """The OS sandbox: removing the guard gains nothing, the package is not there."""
    sub = pytester.makepyfile(submission=GOES_AROUND_THE_REFUSAL)
    graded = grade(pytester, sub, ALLOW_REFERENCE, "--forbid=scipy", "-m", "softmax")
    if not sandboxed(graded.gradescope):
        pytest.skip(f"no OS sandbox here: {graded.gradescope['extra_data']['isolation']}")
    assert graded.score == 0 and graded.prairielearn["gradable"] is False
    assert "No module named 'scipy': it is not available" in graded.gradescope["tests"][0]["output"]


def test_without_bubblewrap_grading_falls_back_or_refuses(pytester, monkeypatch) -> None:
    """No bwrap on the PATH: process isolation, saying why in the results; with
    --sandbox=required, a clear refusal, in the results files too."""
    import shutil

    tools = pytester.mkdir("tools")  # a PATH with the shell tools but no bwrap
    for tool in ("sh", "id", "ls"):
        if found := shutil.which(tool):
            (tools / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(tools))
    graded = grade(pytester, None, "-m", "softmax")
    isolation = graded.gradescope["extra_data"]["isolation"]
    assert isolation.startswith("process") and "bubblewrap is not installed" in isolation
    assert graded.area("softmax")[0] == pytest.approx(10.0)
    graded = grade(pytester, None, "--sandbox=required", "-m", "softmax")
    assert graded.result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--sandbox=required" in graded.result.stderr.str()
    assert "bubblewrap is not installed" in graded.gradescope["tests"][0]["output"]
    assert graded.score == 0


def test_kit_import_is_refused_by_default(pytester) -> None:
    sub = pytester.makepyfile(submission="from reference import *\n")
    graded = grade(pytester, sub, "-m", "softmax")
    assert graded.score == 0
    assert "reference may not be used" in graded.gradescope["tests"][0]["output"]


def test_junit_xml_still_works(pytester) -> None:
    xml = pytester.path / "junit.xml"
    graded = grade(pytester, None, f"--junitxml={xml}", "-m", "softmax")
    assert graded.result.ret == pytest.ExitCode.OK
    assert "<testsuite" in xml.read_text() and 'failures="0"' in xml.read_text()


def test_randomized_profile_is_refused_when_grading(run_suite) -> None:
    result = run_suite("--grading", "-m", "softmax", profile="randomized")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "derandomized" in result.stderr.str()


def test_results_file_is_replaced_even_if_a_folder_took_its_place(pytester) -> None:
    out = pytester.path / "results"
    sub = pytester.makepyfile(
        submission=f"""
        import os
        from reference import *
        os.remove({str(out / "gradescope.json")!r})
        os.makedirs({str(out / "gradescope.json" / "x")!r})
        """
    )
    # Process isolation: in the OS sandbox the results folder is not even in view.
    graded = grade(pytester, sub, ALLOW_REFERENCE, "--sandbox=process", "-m", "softmax")
    assert graded.area("softmax")[0] == pytest.approx(10.0)


def test_points_table_default_is_documented(pytester) -> None:
    """The shipped table and the README agree on the default points."""
    import tomllib

    table = tomllib.loads((ROOT / "conformance" / "grading" / "points.toml").read_text())
    readme = (ROOT / "README.md").read_text()
    for area, points in table["areas"].items():
        assert f"| `{area}` | {points} |" in readme, area
    assert sum(table["areas"].values()) == 100
    json.dumps(table)


def test_grading_from_the_kits_own_folder_in_the_os_sandbox(tmp_path: Path) -> None:
    """The README's command plus --grading, in a clone: the reference (an allowed kit package
    inside the invocation folder, whose copy is read-only in the sandbox) is bound on top of
    that folder's copy, and so is a virtual environment made there."""
    import subprocess
    import sys

    from conformance.sandbox.namespaces import bwrap

    if bwrap() is None:
        pytest.skip("no bubblewrap here")
    results = tmp_path / "gradescope.json"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--grading"),
            *("--sandbox=required", f"--gradescope-json={results}", "-m", "softmax"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    graded = json.loads(results.read_text())
    assert sandboxed(graded), graded["extra_data"]["isolation"]
    tests = [t for t in graded["tests"] if t.get("max_score")]
    assert tests and all(t["score"] == pytest.approx(t["max_score"]) for t in tests), tests


def test_mounts_inside_a_submission_folder_get_their_mount_points(tmp_path: Path) -> None:
    """Each mount inside a folder of the submission gets its mount point in that folder's
    copy, with the folders down to it passable (bwrap executes the Python there as a root
    without CAP_DAC_OVERRIDE), and nothing inside another of those mounts is made."""
    from conformance.sandbox.namespaces import _bind, _mount_points

    seen, copy = tmp_path / "student", tmp_path / "copy"
    (seen / ".venv" / "bin").mkdir(parents=True)
    (seen / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    copy.mkdir(mode=0o700)
    later = [
        *_bind(seen / ".venv" / "bin"),
        *_bind(seen / ".venv" / "pyvenv.cfg"),
        *["--tmpfs", str(seen / ".venv" / "bin" / "inside")],
        *_bind("/dev/null", tmp_path / "elsewhere"),
    ]
    _mount_points([(copy, seen)], later)
    assert (copy / ".venv" / "bin").is_dir() and (copy / ".venv" / "pyvenv.cfg").is_file()
    assert not (copy / ".venv" / "bin" / "inside").exists()
    assert not (tmp_path / "elsewhere").exists()
    for folder in (copy, copy / ".venv"):
        assert folder.stat().st_mode & 0o011 == 0o011, oct(folder.stat().st_mode)


def test_grading_refuses_to_start_inside_the_submissions_folder(pytester) -> None:
    """Run from the submission's folder, pytest would read the folder's pytest.ini and import
    its conftest.py in the grader (and ``python -m`` its modules): refused before either, with
    the reason; run from another folder, a conftest.py in that folder is never imported."""
    pytester.makepyfile(sub="from reference import *  # noqa: F403\n")
    marker = pytester.path / "imported"
    pytester.makeconftest(f"open({str(marker)!r}, 'w').close()\n")
    result = pytester.runpytest_subprocess(
        "--pyargs", "conformance", "--grading", "--impl=sub.py", "--allow-import=reference",
        f"--gradescope-json={pytester.path / 'r.json'}", "-m", "softmax",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*starts inside the submission's folder*"])
    assert not marker.exists(), "the submission's conftest.py ran in the grader"
    # From the folder above, with a conftest.py there too: graded, and nothing imported.
    other = pytester.path / "class"
    other.mkdir()
    (other / "sub.py").write_text("from reference import *  # noqa: F403\n")
    result = pytester.runpytest_subprocess(
        "--pyargs", "conformance", "--grading", f"--impl={other / 'sub.py'}",
        "--allow-import=reference", f"--gradescope-json={pytester.path / 'r.json'}",
        "-m", "softmax",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-2000:]
    assert not marker.exists(), "a conftest.py outside the kit was imported in grading"
