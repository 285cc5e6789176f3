"""Where a grading run may start from.

pytest reads its configuration (pytest.ini, tox.ini, setup.cfg, pyproject.toml) from the
folder it runs in and the folders above it, imports the ``conftest.py`` files of the folder it
runs in when its test paths are package names (``--pyargs conformance``), and ``python -m
pytest`` puts that folder first on the import path, so that a ``numpy.py`` there is the
grader's numpy. All of that happens in the grader, with its rights, before any sandbox exists:
run from the submission's folder, the files beside the submission would be the grader's.

So grading pins conftest discovery to the kit's package (no conftest.py outside it is ever
imported), and an autograder's run (one that writes results files) refuses to start where the
submission's files could be read as the grader's: inside the submission's folder, or with a
configuration file found there (a run at the terminal is warned). The refusal stops an honest
set-up that would be open to that; it cannot undo code a malicious folder already ran (an ini
file's ``-p`` plugin, a shadowing module), which is why the README's recipes start the grader
in a folder of the instructor's.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from conformance.core.selection import SUITE_DIR


def pin(early_config: pytest.Config) -> None:
    """Before the initial conftests load: in grading mode, conftest.py files only from the
    kit's package, and a usage error where the run starts inside the submission's folder."""
    namespace: Any = early_config.known_args_namespace
    if not getattr(namespace, "grading", False):
        return
    namespace.confcutdir = str(SUITE_DIR)
    if namespace.pyargs:
        # pytest anchors its first conftest.py files at the test paths, and where none exists
        # as a path (a package name, "conformance"), at the folder it runs in: anchored at
        # the packages' folders instead. (The run's own arguments are parsed again later.)
        namespace.file_or_dir = [_as_path(arg) for arg in namespace.file_or_dir or []]
    why = refused(
        getattr(namespace, "impl", None),
        early_config.invocation_params.dir,
        early_config.inipath,
    )
    if why is None:
        return
    if namespace.gradescope_json or namespace.prairielearn_json:
        raise pytest.UsageError(why)  # an autograder's run
    # Someone grading their own folder at the terminal: said, not refused.
    early_config.issue_config_time_warning(pytest.PytestConfigWarning(why), stacklevel=2)


def _as_path(arg: str) -> str:
    """A --pyargs argument (``conformance``, ``conformance.checks.test_xor::test_x``) as the
    path of its module or package, where it names one; else as it is."""
    name = arg.split("::", 1)[0]
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return arg
    if spec is None or spec.origin is None:
        return arg
    if spec.submodule_search_locations:
        return str(Path(spec.origin).parent)
    return spec.origin


def submission_folder(spec: str | None, invocation_dir: Path) -> Path | None:
    """The folder a submission's files lie in: a file's folder, a folder itself, or (a module
    name, found from the folder the run starts in) that folder; None for the reference."""
    if spec is None:
        return None
    path = Path(spec)
    if not path.is_absolute():
        path = invocation_dir / path
    if path.is_dir():
        return path.resolve()
    if path.suffix in (".py", ".ipynb") or path.exists():
        return path.resolve().parent
    return invocation_dir.resolve()


def refused(spec: str | None, invocation_dir: Path, inipath: Path | None) -> str | None:
    """Why grading ``spec`` may not start in ``invocation_dir`` (None: it may)."""
    folder = submission_folder(spec, invocation_dir)
    if folder is None:
        return None
    here = invocation_dir.resolve()
    if here == folder or folder in here.parents:
        return (
            f"--grading: this run starts inside the submission's folder ({folder}), where "
            "pytest would read its pytest.ini and conftest.py and `python -m` would import its "
            "modules, in the grader, before any sandbox exists; start the grader in a folder "
            "of your own (the README's recipes cd to one) and pass the submission's path"
        )
    if inipath is not None and folder in inipath.resolve().parents:
        return (
            f"--grading: pytest took its configuration from {inipath}, a file of the "
            "submission's; start the grader in a folder of your own, or pass -c with the "
            "kit's or your own configuration"
        )
    return None
