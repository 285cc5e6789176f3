"""The benchmarks: every group and field is there, the summary and plot are written, the
complexity check calls out a quadratic backward, and conformance runs never collect them.

Timings here are not judged (the machine is shared): rounds are cut to the minimum, and only
the complexity check's verdicts on a quadratic backward and the reference's, exponents of
about 2 and 1, are asserted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import IMPLS, ROOT, SUITE

FAST = ("--benchmark-min-rounds=2", "--benchmark-max-time=0.000001")
PHASES = ("forward", "backward", "train_step")
LAYERS = ([784, 128, 10], [784, 256, 256, 10])
BATCHES = (1, 64, 1024)
FIELDS = ("impl", "phase", "layers", "batch", "gflops", "peak_fraction")


def load(path: Path) -> dict:
    assert path.is_file(), f"{path} was not written"
    return json.loads(path.read_text())


def test_reference_run_has_every_group_with_its_fields(run_benchmarks, tmp_path: Path) -> None:
    out, plot = tmp_path / "out.json", tmp_path / "plot.png"
    result = run_benchmarks(
        "--benchmark-only", *FAST, f"--benchmark-json={out}", f"--benchmark-plot={plot}"
    )
    text = result.stdout.str()
    assert result.ret == pytest.ExitCode.OK, text[-3000:]
    data = load(out)
    groups: dict[str, dict[str, dict]] = {}
    for b in data["benchmarks"]:
        if b["extra_info"]["series"] == "grid":
            groups.setdefault(b["group"], {})[b["extra_info"]["impl"]] = b
    expected = {f"{p} {ls} batch={m}" for p in PHASES for ls in LAYERS for m in BATCHES}
    assert set(groups) == expected
    for name, rows in groups.items():
        # The reference is the implementation under test: no second reference row.
        assert set(rows) == {"reference", "torch-float64", "torch-float32"}, name
        for impl, b in rows.items():
            info = b["extra_info"]
            assert all(info.get(f) is not None for f in FIELDS), (name, impl, info)
            assert f"{info['phase']} {info['layers']} batch={info['batch']}" == name
            assert info["gflops"] > 0 and 0 < info["peak_fraction"]
            assert info["dtype"] == ("float32" if impl == "torch-float32" else "float64")
    conformance = data["conformance"]
    assert conformance["gemm_peak_gflops"]["peak"] > 0
    both = [e for e in conformance["ratios"] if e["phase"] == "forward+backward"]
    assert {(tuple(e["layers"]), e["batch"]) for e in both} == {
        (tuple(ls), m) for ls in LAYERS for m in BATCHES
    }
    assert all(set(e["impl_over"]) == {"torch-float64", "torch-float32"} for e in both)
    assert all(set(e["blas_seconds"]) == {"numpy", "torch"} for e in both)
    assert all(e["blas_numpy_over_torch"] > 0 for e in both)
    assert {(s["phase"], s["against"]) for s in conformance["scaling"]} == {
        (p, a) for p in ("forward", "backward") for a in ("batch", "width")
    }
    assert "threads" in data["machine_info"]["conformance"]
    assert plot.read_bytes().startswith(b"\x89PNG") and plot.stat().st_size > 10_000
    assert "thread(s) (--benchmark-threads) for numpy's BLAS" in text
    assert "conformance benchmark summary" in text
    assert "forward+backward  [784, 256, 256, 10]   1024" in text
    header = next(line for line in result.stdout.lines if line.startswith("phase "))
    assert "/torch-float64" in header and "/reference" not in header
    assert header.endswith("BLAS numpy/torch")


def test_another_implementation_is_timed_beside_the_reference(run_benchmarks, tmp_path) -> None:
    impl = IMPLS / "correct_tutorial_style.py"
    out = tmp_path / "out.json"
    result = run_benchmarks(
        f"--impl={impl}", "--benchmark-only", *FAST, f"--benchmark-json={out}", "-k", "b64"
    )
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    rows = load(out)["benchmarks"]
    impls = {b["extra_info"]["impl"] for b in rows}
    assert impls == {str(impl), "reference", "torch-float64", "torch-float32"}
    assert "/reference" in result.stdout.str()


def test_a_backward_quadratic_in_width_is_called_out(run_benchmarks, tmp_path: Path) -> None:
    impl, out = IMPLS / "slow_relu_jacobian_per_sample.py", tmp_path / "out.json"
    result = run_benchmarks(
        f"--impl={impl}",
        "--benchmark-only",
        # The fastest of 15: rounds slowed by other work (the meta-tests run two at a time)
        # cannot make the fit.
        "--benchmark-min-rounds=15",
        "--benchmark-max-time=0.000001",
        f"--benchmark-json={out}",
        "-k",
        "test_scaling and backward",
    )
    fits = {(s["contender"], s["against"]): s for s in load(out)["conformance"]["scaling"]}
    quadratic, reference = fits[("impl", "width")], fits[("reference", "width")]
    # About 2 against the reference's 1 on a quiet machine; the verdict is what is asserted,
    # since a loaded machine squeezes both exponents (seen over the whole range: 1.59 against
    # 1.29, and 1.50 against 0.98, whose step from 512 to 1024 was 1.69 against 1.02).
    assert quadratic["too_fast_growing"], quadratic
    assert not reference["too_fast_growing"], reference
    assert any(
        line.startswith("scaling: impl backward time ∝ width^")
        and "grows faster than the work" in line
        for line in result.stdout.lines
    ), "\n".join(result.stdout.lines[-12:])


def test_conformance_runs_do_not_collect_benchmarks(run_benchmarks) -> None:
    plain = run_benchmarks("--collect-only", "-q")
    assert "test_benchmarks.py" not in plain.stdout.str()
    only = run_benchmarks("--benchmark-only", "--collect-only", "-q")
    ids = [line for line in only.stdout.lines if "::" in line]
    assert ids and all("test_benchmarks.py::" in line for line in ids)


def test_an_implementation_that_does_not_run_fails_before_timing(
    run_benchmarks, tmp_path: Path
) -> None:
    impl = tmp_path / "flat_forward.py"
    impl.write_text(
        "from reference import *\n"
        "from reference import NeuralNetwork as _N\n"
        "class NeuralNetwork(_N):\n"
        "    def forward(self, X):\n"
        "        return super().forward(X).ravel()\n"
    )
    result = run_benchmarks(
        f"--impl={impl}", "--benchmark-only", *FAST, "-k", "forward-784x128x10-b64-impl"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "net.forward(X)" in result.stdout.str() and "shape" in result.stdout.str()


def test_grading_refuses_benchmarks(run_benchmarks) -> None:
    result = run_benchmarks("--grading", "--benchmark-only")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "--benchmark-only with --grading" in result.stderr.str()


def test_saved_runs_can_be_compared(run_benchmarks, tmp_path: Path) -> None:
    storage = f"--benchmark-storage={tmp_path / 'store'}"
    selection = ("-k", "forward-784x128x10-b1-")
    first = run_benchmarks("--benchmark-only", *FAST, storage, "--benchmark-save=first", *selection)
    assert first.ret == pytest.ExitCode.OK, first.stdout.str()[-2000:]
    second = run_benchmarks("--benchmark-only", *FAST, storage, "--benchmark-compare", *selection)
    assert second.ret == pytest.ExitCode.OK, second.stdout.str()[-2000:]
    text = second.stdout.str() + second.stderr.str()
    assert "0001_first" in text, text[-2000:]


def test_without_torch_only_the_torch_rows_are_skipped(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    args = [
        str(SUITE),
        f"--rootdir={ROOT}",
        "-c",
        str(ROOT / "pyproject.toml"),
        "--benchmark-only",
        *FAST,
        f"--benchmark-json={out}",
        "-k",
        "forward-784x128x10-b64",
        "-rs",
    ]
    # sys.modules["torch"] = None makes `import torch` raise ImportError, as if not installed.
    code = f"import sys, pytest; sys.modules['torch'] = None; sys.exit(pytest.main({args!r}))"
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    run = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "SKIPPED [2] " in run.stdout and "PyTorch is not installed" in run.stdout
    assert {b["extra_info"]["impl"] for b in load(out)["benchmarks"]} == {"reference"}
