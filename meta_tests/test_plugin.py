"""The plugin: --impl resolution, clear errors on bad input, missing names, markers, header,
reproducible verdicts, the per-check time limit, and running installed from any folder."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import IMPLS, ROOT, failed_areas

BROKEN = IMPLS / "broken_softmax_axis1.py"


def write(pytester: pytest.Pytester, name: str, source: str) -> Path:
    path = pytester.path / name
    path.write_text(textwrap.dedent(source))
    return path


@pytest.mark.parametrize(
    "source, message",
    [
        ("raise RuntimeError('boom')\n", "importing it raised RuntimeError: boom"),
        ("def sigmoid(z):\n    return z +\n", "syntax error at"),
        ("import sys\nsys.exit(0)\n", "importing it raised SystemExit"),
        ("import no_such_dependency_xyz\n", "ModuleNotFoundError"),
    ],
    ids=["raises", "syntax-error", "sys-exit", "missing-dependency"],
)
def test_module_that_fails_at_import_is_a_usage_error(pytester, run_suite, source, message):
    path = write(pytester, "student.py", source)
    result = run_suite(f"--impl={path}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    error = result.stderr.str()
    assert message in error
    assert "student.py" in error


@pytest.mark.parametrize(
    "spec, message",
    [
        ("no_such_module_xyz", "no module named 'no_such_module_xyz'"),
        ("missing_file.py", "no such file"),
    ],
)
def test_unknown_module_or_file_is_a_usage_error(run_suite, spec: str, message: str) -> None:
    result = run_suite(f"--impl={spec}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert "Traceback" not in result.stderr.str()


def test_module_found_by_name_beside_the_invocation_folder(pytester, run_suite) -> None:
    write(pytester, "mynet.py", "from reference import *\n")
    result = run_suite("--impl=mynet", "-m", "softmax", "-v")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*conformance: impl=mynet file=*mynet.py*"])


def test_missing_names_fail_only_the_checks_that_need_them(pytester, run_suite) -> None:
    path = write(
        pytester,
        "partial.py",
        """\
        from reference import *
        del softmax, kl_divergence
    """,
    )
    result = run_suite(f"--impl={path}", "-v")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*MISSING from*partial.py: softmax, kl_divergence*"])
    result.stdout.fnmatch_lines(
        ["*is missing softmax, kl_divergence: the checks that need them failed*"]
    )
    failed = failed_areas(result)
    assert set(failed) == {"contract", "softmax", "information"}
    assert failed["contract"] == 2
    assert "defines no `softmax`, which this check needs" in result.stdout.str()
    # Everything that does not use the missing names still passes.
    assert run_suite(f"--impl={path}", "-m", "activations or gradients").ret == pytest.ExitCode.OK


def test_one_area_runs_alone_with_its_marker(run_suite) -> None:
    result = run_suite("-m", "numerical_gradient", "--co")
    collected = [line for line in result.stdout.lines if "::" in line]
    assert collected and all("test_numerical_gradient.py::" in line for line in collected)


def test_header_names_implementation_file_profile_and_seed(run_suite) -> None:
    result = run_suite(f"--impl={BROKEN}", "--impl-seed=7", "--co", "-v")
    result.stdout.fnmatch_lines(
        [
            f"conformance: impl={BROKEN} file={BROKEN}",
            "conformance: hypothesis profile=verdict seed=7 timeout=120s",
        ]
    )


def test_default_is_the_reference(run_suite) -> None:
    result = run_suite("--co", "-v")
    result.stdout.fnmatch_lines(
        ["conformance: impl=reference (default) file=*reference*__init__.py"]
    )


def test_same_implementation_gets_the_same_verdict_every_run(run_suite) -> None:
    def verdict() -> list[str]:
        result = run_suite(
            f"--impl={IMPLS / 'broken_backward_outer_product.py'}",
            "-m",
            "gradients or torch_parity",
            profile="conformance",
        )
        return sorted(
            r.nodeid for r in result.reprec.getreports("pytest_runtest_logreport") if r.failed
        )

    first = verdict()
    assert first and first == verdict()


def test_a_hanging_function_fails_its_checks_with_the_time_limit(pytester, run_suite) -> None:
    path = write(
        pytester,
        "hangs.py",
        """\
        from reference import *
        def tanh(z):
            while True:
                pass
    """,
    )
    result = run_suite(
        f"--impl={path}", "--impl-timeout=0.5", "-m", "activations", "-k", "exact_values"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1 and outcomes["passed"] == 5
    assert "ran past its time limit of 0.5s" in result.stdout.str()


def test_failure_message_teaches(run_suite) -> None:
    """What was checked, expected vs got with the worst index, a hint, and a reproduction."""
    result = run_suite(
        f"--impl={IMPLS / 'broken_tanh_derivative_no_square.py'}",
        "-k",
        "test_matches_exact_values and tanh_derivative",
    )
    text = result.stdout.str()
    assert "tanh_derivative(z)[" in text and ", but should be " in text
    assert "abs err" in text and "tolerance" in text
    assert "hint: tanh'(z) = 1 − tanh(z)²" in text
    lines = [line.removeprefix("E").strip() for line in text.splitlines()]
    start = lines.index("reproduce:")
    assert lines[start + 1] == "import numpy as np"
    assert lines[start + 2].endswith("import broken_tanh_derivative_no_square as bp")
    assert lines[start + 3].startswith("z = np.array([")


@pytest.mark.skipif(
    subprocess.run(
        [sys.executable, "-c", "import conformance.plugin"], cwd="/", capture_output=True
    ).returncode
    != 0,
    reason="the kit is not installed (pip install -e .)",
)
def test_installed_plugin_runs_from_any_folder(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text("from reference import *\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--pyargs",
            "conformance",
            "--impl=mine",
            "-m",
            "softmax",
            "-p",
            "no:cacheprovider",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "conformance: impl=mine" in result.stdout
    assert str(ROOT) not in result.stdout.split("conformance: impl=mine file=")[1].split()[0]
