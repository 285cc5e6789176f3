"""First contact: ``pytest --impl=NAME`` typed where a student stands, with the kit installed
(not editable) in a temporary folder: a folder holding only their module, the folder that holds
a clone, a folder with tests of its own, and an unrelated project that never passes --impl."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import IMPLS, ROOT

CORRECT = IMPLS / "correct_loops.py"
BROKEN = IMPLS / "broken_softmax_axis1.py"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The kit built and installed from this tree into a folder of its own, found first on
    the path (its dependencies are this environment's)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(target), str(ROOT)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return target


def pytest_in(folder: Path, installed: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=folder, capture_output=True, text=True, env=env, timeout=900,
    )  # fmt: skip


def out(result: subprocess.CompletedProcess[str]) -> str:
    return (result.stdout + result.stderr)[-4000:]


def test_the_installed_kit_is_the_one_imported(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    found = subprocess.run(
        [sys.executable, "-c", "import conformance; print(conformance.__file__)"],
        cwd=tmp_path, capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert found.stdout.startswith(str(installed)), found.stdout


def test_a_correct_module_alone_in_its_folder_passes_the_whole_suite(
    installed: Path, tmp_path: Path
) -> None:
    shutil.copy(CORRECT, tmp_path / "mymodule.py")
    result = pytest_in(tmp_path, installed, "--impl=mymodule")
    assert result.returncode == 0, out(result)
    summary = result.stdout.splitlines()[-1]
    assert "failed" not in summary and "deselected" not in summary, summary
    assert int(summary.split(" passed")[0].split()[-1]) >= 160, summary
    assert f"file={tmp_path / 'mymodule.py'}" in result.stdout


def test_a_broken_module_alone_in_its_folder_fails(installed: Path, tmp_path: Path) -> None:
    shutil.copy(BROKEN, tmp_path / "mymodule.py")
    result = pytest_in(tmp_path, installed, "--impl=mymodule", "-m", "softmax or contract")
    assert result.returncode == 1, out(result)
    assert "checks/test_softmax.py" in result.stdout


def test_from_the_folder_that_holds_a_clone(installed: Path, tmp_path: Path) -> None:
    """The clone's root conftest.py (which registers the plugin with pytest_plugins) lies
    below this folder: pytest refuses such a conftest unless the run stays out of it."""
    clone = tmp_path / "backprop-conformance"
    for name in ("conformance", "reference", "meta_tests"):
        shutil.copytree(ROOT / name, clone / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / name, clone / name)
    shutil.copy(CORRECT, tmp_path / "mymodule.py")
    result = pytest_in(tmp_path, installed, "--impl=mymodule", "-m", "softmax")
    assert result.returncode == 0, out(result)
    assert "12 passed" in result.stdout.splitlines()[-1], out(result)


def test_the_students_own_tests_and_testpaths_are_left_alone(
    installed: Path, tmp_path: Path
) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\ntestpaths = .\n")
    (tmp_path / "test_mine.py").write_text("def test_mine():\n    raise AssertionError\n")
    shutil.copy(CORRECT, tmp_path / "mymodule.py")
    result = pytest_in(tmp_path, installed, "--impl=mymodule", "-m", "softmax")
    assert result.returncode == 0, out(result)
    assert "test_mine" not in result.stdout
    # ... and their own run is theirs: no suite, no header.
    own = pytest_in(tmp_path, installed)
    assert own.returncode == 1, out(own)
    assert "1 failed" in own.stdout.splitlines()[-1] and "conformance:" not in own.stdout


def test_an_unrelated_project_runs_as_before(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "test_theirs.py").write_text("def test_theirs():\n    assert True\n")
    result = pytest_in(tmp_path, installed, "-q")
    assert result.returncode == 0, out(result)
    assert "1 passed" in result.stdout and "conformance" not in result.stdout


@pytest.mark.parametrize(
    "args, says",
    [
        (
            ["-m", "no_such_area"],
            "no check matches -m 'no_such_area'; the areas (-m) are: contract",
        ),
        (["-k", "no_such_check"], "no check matches -k 'no_such_check'"),
    ],
    ids=["marker", "keyword"],
)
def test_selecting_nothing_is_a_usage_error_not_exit_code_5(
    installed: Path, tmp_path: Path, args: list[str], says: str
) -> None:
    shutil.copy(CORRECT, tmp_path / "mymodule.py")
    result = pytest_in(tmp_path, installed, "--impl=mymodule", *args)
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, out(result)
    assert says in result.stdout, out(result)


def test_a_correct_notebook_alone_in_its_folder_passes_the_whole_suite(
    installed: Path, tmp_path: Path
) -> None:
    from notebook_helpers import homework

    marker = tmp_path / "ran.txt"
    homework(tmp_path / "hw3.ipynb", marker)
    result = pytest_in(tmp_path, installed, "--impl=hw3.ipynb")
    assert result.returncode == 0, out(result)
    assert "conformance: notebook hw3.ipynb:" in result.stdout
    assert int(result.stdout.splitlines()[-1].split(" passed")[0].split()[-1]) >= 160
    assert not marker.exists()


def test_a_broken_notebook_alone_in_its_folder_fails(installed: Path, tmp_path: Path) -> None:
    from notebook_helpers import write

    write(
        tmp_path / "hw3.ipynb",
        [
            "%matplotlib inline\nimport numpy as np",
            "def softmax(z):\n    e = np.exp(z)\n    return e / e.sum(axis=1, keepdims=True)",
        ],
    )
    result = pytest_in(tmp_path, installed, "--impl=hw3.ipynb", "-m", "softmax")
    assert result.returncode == 1, out(result)
    assert "hw3.ipynb, cell 2" in result.stdout, out(result)
