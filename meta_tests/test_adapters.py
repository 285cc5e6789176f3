"""Adapters (conformance/adapters): student code in the nnfs book's layer classes and in
CS231n's layer functions gets, through ``--adapter``, the verdicts its contract twins get;
each layer is checked on its own; what the API does not have is skipped, never failed; what a
course template sets on purpose is reported; in grading only the instructor's adapter counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from grading_helpers import grade

from conftest import IMPLS, ROOT, expected_area, failed_areas

APIS = {"nnfs": IMPLS / "nnfs", "cs231n": IMPLS / "cs231n"}
CORRECT = {"nnfs": APIS["nnfs"] / "correct_nnfs.py", "cs231n": APIS["cs231n"] / "correct_layers.py"}
#: The book's softmax subtracts the row max, which overflows (a warning, the right values) on
#: [1e308, -1e308]: a user sees a warning; this suite turns warnings into errors.
BOOK_WARNS = ("-W", "ignore:overflow encountered in subtract:RuntimeWarning")
BROKEN = [(api, p) for api, folder in APIS.items() for p in sorted(folder.glob("broken_*.py"))]


@pytest.mark.parametrize("api", APIS)
def test_correct_code_passes_every_check_through_its_adapter(run_suite, api: str) -> None:
    result = run_suite(f"--impl={CORRECT[api]}", f"--adapter={api}", "-rs", *BOOK_WARNS)
    outcomes = result.parseoutcomes()
    out = result.stdout.str()
    assert result.ret == pytest.ExitCode.OK, out[-3000:]
    assert outcomes["passed"] >= 55, outcomes
    # The layers were checked one by one, and what the API has no code for was skipped as such.
    assert "test_layers.py" not in out.split("short test summary")[-1] or "FAILED" not in out
    assert "not part of the adapted API" in out
    assert "defines no" not in out


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("api, path", BROKEN, ids=lambda v: v if isinstance(v, str) else v.stem)
def test_broken_code_is_rejected_by_its_area(run_suite, api: str, path: Path, seed: int) -> None:
    area = expected_area(path)
    result = run_suite(
        f"--impl={path}", f"--adapter={api}", "-m", area, f"--impl-seed={seed}", *BOOK_WARNS
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED, result.stdout.str()[-3000:]
    assert area in failed_areas(result), f"{path.name}: nothing of {area} failed"


def test_the_broken_sets_cover_every_layer_and_the_update() -> None:
    assert len([p for api, p in BROKEN if api == "nnfs"]) >= 10
    assert len([p for api, p in BROKEN if api == "cs231n"]) >= 10
    assert {expected_area(p) for _, p in BROKEN} >= {"gradients", "training", "activations"}


def test_a_layer_bug_is_diagnosed_as_that_layer_in_the_apis_own_names(run_suite) -> None:
    """A dw transposed in affine_backward: the affine layer's own check comes first, named by
    the course's function, and the network's failures are marked its consequences."""
    path = APIS["cs231n"] / "broken_affine_backward_dw_transposed.py"
    result = run_suite(f"--impl={path}", "--adapter=cs231n")
    lines = result.stdout.str().split("= diagnosis =", 1)[1].strip().splitlines()[1:]
    assert lines[0].startswith("affine layer (affine_forward, affine_backward): dw.shape="), lines
    assert "likely consequences" in lines[0]


def test_a_template_convention_is_reported_not_failed(run_suite) -> None:
    """nnfs draws 0.01 * randn weights and clips the loss at 1e-7: declared by its adapter,
    they are noted; a plain module with the same initialisation fails He's check."""
    result = run_suite(
        f"--impl={CORRECT['nnfs']}", "--adapter=nnfs", "-m", "training", "-v", *BOOK_WARNS
    )
    out = result.stdout.str()
    assert result.ret == pytest.ExitCode.OK, out[-3000:]
    assert "weights start as 0.01 * randn, as the course template declares" in out
    assert "conformance: init_std: weights start as 0.01 * randn" in out
    assert "conformance: adapter (--adapter=nnfs): the nnfs book's layer classes" in out


def test_what_the_code_lacks_is_told_in_one_line(run_suite, tmp_path: Path) -> None:
    result = run_suite(f"--impl={CORRECT['cs231n']}", "--adapter=nnfs")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    said = [line for line in result.errlines if "defines no Layer_Dense" in line]
    assert len(said) == 1, result.errlines
    result = run_suite(f"--impl={CORRECT['nnfs']}", "--adapter=keras")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert any("not an adapter the kit ships (nnfs, cs231n)" in x for x in result.errlines)


def test_a_users_own_adapter_follows_the_same_protocol(run_suite, tmp_path: Path) -> None:
    """``--adapter=my_adapter.py`` with adapt(code); and an --impl module declaring ADAPTS
    itself: both run the contract's checks on what they build, and skip the rest."""
    code = tmp_path / "mine.py"
    code.write_text("import numpy as np\n\ndef rectify(z):\n    return np.maximum(z, 0.0)\n")
    adapter = tmp_path / "my_adapter.py"
    adapter.write_text(
        "import types\n\nUSES = ('rectify',)\n\n"
        "def adapt(code):\n"
        "    ns = types.ModuleType('mine_adapter')\n"
        "    ns.ADAPTS = 'one activation'\n"
        "    ns.relu = code.rectify\n"
        "    return ns\n"
    )
    result = run_suite(f"--impl={code}", f"--adapter={adapter}", "-m", "activations")
    out = result.stdout.str()
    assert result.ret == pytest.ExitCode.OK, out[-3000:]
    assert result.parseoutcomes()["passed"] >= 3
    # relu_derivative is not part of that API: skipped, not failed.
    assert "relu_derivative" in out and "the checks that need them were skipped" in out
    own = tmp_path / "own_adapter.py"
    own.write_text(
        f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nfrom mine import rectify as relu\n"
        "ADAPTS = 'my activation'\n"
    )
    result = run_suite(f"--impl={own}", "-m", "activations")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()[-3000:]


def test_grading_follows_the_instructors_adapter_and_not_the_submissions(pytester) -> None:
    """With --adapter, checks outside the API leave the split; a submission that declares
    ADAPTS or INIT_STD itself gets neither (the names it lacks fail, He is still asked)."""
    graded = grade(pytester, CORRECT["nnfs"], "--adapter=nnfs", "-m", "contract or activations")
    assert graded.result.ret == pytest.ExitCode.OK, graded.result.stdout.str()[-3000:]
    assert graded.score > 0 and not graded.failed(), graded.failed()
    sub = pytester.path / "sub"
    sub.mkdir()
    cheat = sub / "declares.py"
    cheat.write_text(
        "import numpy as np\nADAPTS = 'nothing'\nINIT_STD = 0.01\n\n"
        "def relu(z):\n    return np.maximum(z, 0.0)\n"
    )
    graded = grade(pytester, cheat, "-m", "contract or activations")
    out = graded.result.stdout.str()
    assert graded.result.ret == pytest.ExitCode.TESTS_FAILED, out[-3000:]
    # The names it lacks fail (in its own split), as for any submission: ADAPTS skipped none.
    assert any("sigmoid" in t["name"] for t in graded.failed()), graded.failed()[:3]


@pytest.mark.parametrize("api", APIS)
def test_grading_builds_the_network_next_to_the_submission(pytester, api: str) -> None:
    """With a shipped adapter the worker builds the contract too, so a network's calls are one
    request each (a whole run in seconds, not minutes), while what is judged and skipped comes
    from the grader's own copy: a correct module loses nothing, a broken one what it should."""
    graded = grade(pytester, CORRECT[api], f"--adapter={api}", in_process=False, profile=None)
    out = graded.result.stdout.str()
    assert graded.result.ret == pytest.ExitCode.OK, out[-3000:]
    assert not graded.failed() and graded.score > 0, graded.failed()[:3]
    broken = APIS[api] / (
        "broken_relu_backward_no_copy.py" if api == "nnfs" else "broken_relu_backward_in_place.py"
    )
    graded = grade(
        pytester, broken, f"--adapter={api}", "-m", "gradients", in_process=False, profile=None
    )
    failed = {t["name"] for t in graded.failed()}
    assert any("test_relu_layer" in n for n in failed), failed


def _instructors_adapter(folder: Path, epilogue: str = "") -> Path:
    """The nnfs adapter as an instructor's own file would be: the shipped helpers imported
    by the kit's name, ``epilogue`` last."""
    source = (ROOT / "conformance" / "adapters" / "nnfs.py").read_text()
    source = source.replace("from .params import", "from conformance.adapters.params import")
    assert "from conformance.adapters.params import" in source
    path = folder / "course_adapter.py"
    path.write_text(source + epilogue)
    return path


def test_grading_builds_the_network_next_to_the_submission_with_the_instructors_file(
    pytester,
) -> None:
    """The instructor's adapter file is built in the worker too (a copy of it): the whole run
    in seconds, and the same verdicts as the shipped adapter it copies."""
    grader = pytester.path.parent / f"{pytester.path.name}-grader"
    grader.mkdir(exist_ok=True)
    adapter = f"--adapter={_instructors_adapter(grader)}"
    graded = grade(pytester, CORRECT["nnfs"], adapter, in_process=False, profile=None)
    out = graded.result.stdout.str()
    assert graded.result.ret == pytest.ExitCode.OK, out[-3000:]
    assert not graded.failed() and graded.score > 0, graded.failed()[:3]
    assert "the worker built the network next to the submission" in out, out[-3000:]
    broken = APIS["nnfs"] / "broken_relu_backward_no_copy.py"
    graded = grade(pytester, broken, adapter, "-m", "gradients", in_process=False, profile=None)
    failed = {t["name"] for t in graded.failed()}
    assert any("test_relu_layer" in n for n in failed), failed


def test_an_adapter_the_worker_cannot_load_is_the_graders_alone(pytester) -> None:
    """An adapter file that imports the kit (hidden from the worker) still grades, correctly,
    built by the grader on the worker's proxies, and the header says so."""
    grader = pytester.path.parent / f"{pytester.path.name}-grader"
    grader.mkdir(exist_ok=True)
    path = _instructors_adapter(grader, epilogue="\nimport conformance.contract  # noqa: F401\n")
    graded = grade(pytester, CORRECT["nnfs"], f"--adapter={path}", "-m", "activations")
    out = graded.result.stdout.str()
    assert graded.result.ret == pytest.ExitCode.OK, out[-3000:]
    assert not graded.failed() and graded.score > 0, graded.failed()[:3]
    assert "built by the grader alone" in out, out[-3000:]
