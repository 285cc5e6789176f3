"""A notebook is an implementation: its definitions are taken cell by cell, its experiments are
not run, and what goes wrong names the cell and the line, in-process and in grading mode."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from grading_helpers import grade
from notebook_helpers import TUTORIAL, definitions_as_module, homework, write

from conformance import notebook as nb

SOFTMAX_RIGHT = """\
def softmax(z):
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore"):  # z - max(z) is -inf for z = [1e308, -1e308]: fine
        e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)
"""
SOFTMAX_WRONG = SOFTMAX_RIGHT.replace("axis=0, keepdims=True))", "axis=1, keepdims=True))")
IMPORTS = "import numpy as np\nfrom reference import *"
ALLOW_REFERENCE = "--allow-import=reference"


def failed_checks(output: str) -> set[str]:
    return set(re.findall(r"^FAILED \S+::(\S+)", output, re.MULTILINE))


def run_subprocess(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:benchmark", *args],
        cwd=folder, capture_output=True, text=True, timeout=900,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )  # fmt: skip


# -- what is taken ---------------------------------------------------------------------------------


def load(tmp_path: Path, cells: list) -> object:
    return nb.load_notebook(write(tmp_path / "nb.ipynb", cells), name=f"nb_{tmp_path.name}")


def test_definitions_constants_and_imports_are_taken_and_experiments_skipped(
    tmp_path: Path,
) -> None:
    module = load(
        tmp_path,
        [
            "%matplotlib inline\nimport numpy as np\nEPS = 1e-10\nDTYPE = np.float64",
            "rng = np.random.default_rng(0)\nfig = np.zeros(10**10)  # would not fit\n"
            "def init(n):\n    return rng.normal(size=n) * EPS",
            ("markdown", "text"),
            "net = init(3)\nfor i in range(10**9):\n    pass\nprint(net)",
            "try:\n    import not_a_module_anywhere\nexcept ImportError:\n"
            "    not_a_module_anywhere = None",
            "ACTIVATION = init\nINF = float('inf')\nshape = (2, -3)",
        ],
    )
    assert module.EPS == 1e-10 and module.DTYPE is np.float64
    assert module.init(2).shape == (2,)  # rng was taken: init needs it
    assert module.not_a_module_anywhere is None
    assert module.ACTIVATION is module.init and module.INF == float("inf")
    assert module.shape == (2, -3)
    for skipped in ("fig", "net", "i"):  # a call nothing needs, a call of the student's code
        assert not hasattr(module, skipped), skipped
    line = getattr(module, nb.SUMMARY_ATTR)
    assert line == (
        "notebook nb.ipynb: 8 definitions from cells 1, 2, 5, 6; skipped top-level code in "
        "cells 2, 4; dropped magics and shell lines in cell 1"
    ), line


def test_the_last_definition_wins_and_future_imports_hold_for_later_cells(
    tmp_path: Path,
) -> None:
    module = load(
        tmp_path,
        [
            "from __future__ import annotations",
            "def f() -> NotDefinedAnywhere:\n    return 1",  # lazy annotation: no NameError
            "def f():\n    return 2",
        ],
    )
    assert module.f() == 2


def test_a_constant_that_raises_is_skipped_and_said(tmp_path: Path) -> None:
    module = load(
        tmp_path,
        [
            "import numpy as np",
            "data = np.load('train.npy')\ndef use():\n    return data",
            "def ok():\n    return 1",
        ],
    )
    assert module.ok() == 1 and not hasattr(module, "data")
    assert "skipped constants that raised: data (cell 2, line 1: FileNotFoundError)" in getattr(
        module, nb.SUMMARY_ATTR
    )


def test_magics_are_dropped_only_from_cells_that_are_not_python(tmp_path: Path) -> None:
    module = load(tmp_path, ["a = (7\n% 4)\nb = 1", "if True:\n    %time x = 1\nc = 2"])
    assert module.a == 3 and module.b == 1 and module.c == 2


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["import numpy as np", "def f(:\n    pass"], r"nb\.ipynb, cell 2, line 1: invalid syntax"),
        ([], r"its code cells define nothing"),
        ([("markdown", "only text"), "print('hi')"], r"its code cells define nothing"),
    ],
    ids=["syntax-error-in-one-cell", "empty", "top-level-code-only"],
)
def test_a_notebook_that_is_not_an_implementation_is_one_line(
    tmp_path: Path, cells: list, message: str
) -> None:
    with pytest.raises(nb.NotebookError, match=message) as err:
        load(tmp_path, cells)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "content", ["not json at all", '{"cells": 3}', '{"nbformat": 99, "cells": []}']
)
def test_a_file_that_is_not_a_notebook_is_one_line(tmp_path: Path, content: str) -> None:
    path = tmp_path / "hw.ipynb"
    path.write_text(content)
    with pytest.raises(nb.NotebookError, match=r"hw\.ipynb is not a Jupyter notebook") as err:
        nb.load_notebook(path)
    assert "\n" not in str(err.value)


def test_a_definition_that_raises_points_at_its_cell(tmp_path: Path) -> None:
    path = write(tmp_path / "nb.ipynb", ["x = 1", "class Net:\n    size = 1 / 0"])
    with pytest.raises(ZeroDivisionError) as err:
        nb.load_notebook(path, name="nb_raises")
    frame = err.traceback[-1]
    assert str(frame.path).endswith("nb.ipynb, cell 2") and frame.lineno + 1 == 2
    assert "size = 1 / 0" in str(frame.statement)  # the cell's source, through linecache


# -- in-process runs -------------------------------------------------------------------------------


def test_a_correct_homework_notebook_passes_everything(run_suite, tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    path = homework(tmp_path / "hw3.ipynb", marker)
    result = run_suite(f"--impl={path}", "-v", profile="conformance")  # -v: the header too
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    assert not marker.exists(), "the notebook's top-level code ran"
    header = [line for line in result.outlines if line.startswith("conformance: notebook")]
    assert header and re.match(
        r"conformance: notebook hw3\.ipynb: \d+ definitions from cells [\d, –]+; skipped "
        r"top-level code in cells [\d, –]+; dropped magics and shell lines in cells 2, 4, 5",
        header[0],
    ), header


@pytest.mark.parametrize(
    ("order", "passes"),
    [((SOFTMAX_WRONG, SOFTMAX_RIGHT), True), ((SOFTMAX_RIGHT, SOFTMAX_WRONG), False)],
    ids=["fixed-later", "broken-later"],
)
def test_a_later_cell_redefines_a_function(
    run_suite, tmp_path: Path, order: tuple[str, str], passes: bool
) -> None:
    path = write(tmp_path / "hw.ipynb", [IMPORTS, order[0], "print(softmax(1))", order[1]])
    result = run_suite(f"--impl={path}", "-m", "softmax")
    assert (result.ret == pytest.ExitCode.OK) is passes, result.stdout.str()[-2000:]


def test_a_cell_that_raises_at_top_level_is_skipped(run_suite, tmp_path: Path) -> None:
    path = write(tmp_path / "hw.ipynb", [IMPORTS, "raise RuntimeError('plot failed')"])
    result = run_suite(f"--impl={path}", "-m", "activations")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-2000:]


def test_an_error_in_the_students_code_points_at_the_cell(run_suite, tmp_path: Path) -> None:
    path = write(
        tmp_path / "hw.ipynb",
        [IMPORTS, "x = 1", "def softmax(z):\n    z = np.asarray(z)\n    raise ValueError('oops')"],
    )
    result = run_suite(f"--impl={path}", "-m", "softmax", "-x")
    text = result.stdout.str()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "hw.ipynb, cell 3" in text, text[-3000:]
    assert "raise ValueError('oops')" in text  # the cell's own line


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ([IMPORTS, "def f(:\n    pass"], "hw.ipynb, cell 2, line 1: invalid syntax"),
        ([IMPORTS, "import not_a_module_anywhere"], "hw.ipynb, cell 2, line 1"),
        ([("markdown", "nothing")], "its code cells define nothing"),
    ],
    ids=["syntax-error", "failing-import", "empty"],
)
def test_a_notebook_that_cannot_load_is_a_one_line_usage_error(
    run_suite, tmp_path: Path, cells: list, message: str
) -> None:
    result = run_suite(f"--impl={write(tmp_path / 'hw.ipynb', cells)}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.startswith("ERROR: --impl=")]
    assert len(errors) == 1 and message in errors[0], result.errlines


def test_a_non_notebook_named_ipynb_is_a_one_line_usage_error(run_suite, tmp_path: Path) -> None:
    path = tmp_path / "hw.ipynb"
    path.write_text("def softmax(z): return z\n")
    result = run_suite(f"--impl={path}")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert any("hw.ipynb is not a Jupyter notebook" in line for line in result.errlines)


# -- the tutorial's own notebook ------------------------------------------------------------------


def test_the_tutorials_notebook_gets_the_verdict_of_its_definitions(tmp_path: Path) -> None:
    """Every cell as written (``%matplotlib inline``, the training, the plots, ``import
    torch.nn as nn`` shadowing the network): the same checks fail as for its definitions
    copied into a module, among them the 1-D numerical_gradient the contract rejects."""
    notebook = shutil.copy(TUTORIAL, tmp_path / "tutorial.ipynb")
    definitions_as_module(TUTORIAL, tmp_path / "tutorial_defs.py")
    as_notebook = run_subprocess(tmp_path, "--impl=tutorial.ipynb", "-rf")
    as_module = run_subprocess(tmp_path, "--impl=tutorial_defs.py", "-rf")
    assert as_notebook.returncode == as_module.returncode == 1, as_notebook.stdout[-3000:]
    failed = failed_checks(as_notebook.stdout)
    assert failed == failed_checks(as_module.stdout)
    assert any(name.startswith("test_matches_known_gradient") for name in failed), failed
    assert Path(notebook).exists()


# -- grading ---------------------------------------------------------------------------------------


def test_a_correct_homework_notebook_gets_full_marks(pytester, tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    graded = grade(pytester, homework(tmp_path / "hw3.ipynb", marker), profile=None)
    assert graded.result.ret == pytest.ExitCode.OK, graded.result.stdout.str()[-3000:]
    assert graded.score == pytest.approx(100.0), graded.failed()[:3]
    assert not marker.exists()


def test_grading_takes_the_last_definition_and_names_the_cell(pytester, tmp_path: Path) -> None:
    fixed = write(tmp_path / "fixed.ipynb", [IMPORTS, SOFTMAX_WRONG, SOFTMAX_RIGHT])
    graded = grade(pytester, fixed, ALLOW_REFERENCE, "-m", "softmax")
    assert graded.area("softmax") == pytest.approx((10, 10))
    raising = write(tmp_path / "raising.ipynb", [IMPORTS, "def softmax(z):\n    raise KeyError"])
    graded = grade(pytester, raising, ALLOW_REFERENCE, "-m", "softmax")
    assert graded.area("softmax")[0] == 0
    outputs = " ".join(t.get("output", "") for t in graded.failed())
    assert "raising.ipynb, cell 2" in outputs, outputs[:2000]


def test_grading_a_notebook_that_cannot_load_says_why(pytester, tmp_path: Path) -> None:
    broken = write(tmp_path / "hw.ipynb", [IMPORTS, "def f(:\n    pass"])
    graded = grade(pytester, broken, ALLOW_REFERENCE)
    assert graded.score == 0 and graded.prairielearn["gradable"] is False
    (row,) = graded.gradescope["tests"]
    assert "hw.ipynb, cell 2, line 1: invalid syntax" in row["output"], row["output"]


def test_the_grader_never_reads_the_notebook(pytester, tmp_path: Path) -> None:
    """The worker takes the definitions; the grader process never loads nbformat's reader on
    the submission (a notebook whose cells define a class body that prints is run only in
    the worker, which prints its own process id and host)."""
    cell = "import os\nclass Net:\n    print(f'class body run in {os.getpid()} on {os.uname()[1]}')"
    graded = grade(pytester, write(tmp_path / "hw.ipynb", [IMPORTS, cell]), ALLOW_REFERENCE,
                   "-m", "softmax")  # fmt: skip
    assert graded.area("softmax") == pytest.approx((10, 10))
    found = re.findall(r"class body run in (\d+) on (\S+)", graded.gradescope["output"])
    assert found and (str(os.getpid()), os.uname().nodename) not in found, found


def test_the_reader_imports_only_the_standard_library_and_nbformat() -> None:
    """So that the grading worker, which cannot import the kit, can load it by its path."""
    imported = set()
    for module in Path(nb.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"nbformat"}, imported


# -- the report, the figures and the benchmarks ---------------------------------------------------


def test_the_figures_command_draws_a_notebook(tmp_path: Path) -> None:
    marker = tmp_path / "ran.txt"
    homework(tmp_path / "hw3.ipynb", marker)
    run = subprocess.run(
        [sys.executable, "-m", "conformance.report", "--impl=hw3.ipynb", "--out", "figs"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )  # fmt: skip
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    assert len(list((tmp_path / "figs").glob("*.png"))) >= 5
    assert not marker.exists()


def test_a_notebook_is_timed_beside_the_reference(run_benchmarks, tmp_path: Path) -> None:
    path = homework(tmp_path / "hw3.ipynb", tmp_path / "ran.txt")
    out = tmp_path / "bench.json"
    result = run_benchmarks(
        f"--impl={path}", "--benchmark-only", "--benchmark-min-rounds=2",
        "--benchmark-max-time=0.000001", f"--benchmark-json={out}", "-k", "b64",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]
    rows = json.loads(out.read_text())["benchmarks"]
    assert str(path) in {b["extra_info"]["impl"] for b in rows}
