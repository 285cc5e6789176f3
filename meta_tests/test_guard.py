"""The in-process guard watches every module of the kit, found by walking its packages: an
implementation that replaces every function of any one kit module while it is imported fails
the run, and the failure names that module.

Each run is a subprocess: the implementation patches the kit, and the process that patched it
is thrown away whatever the guard does.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: An implementation: the reference, then every function of one kit module replaced (its
#: module-level functions and the methods of the classes it defines) by one that does nothing.
#: A module without functions has its data replaced instead (e.g. the contract's tables).
PATCHER = """\
from reference import *  # noqa: F403

import importlib as _importlib
import types as _types

_module = _importlib.import_module({module!r})


def _does_nothing(*args, **kwargs):
    return None


_replaced = 0
for _name, _value in list(vars(_module).items()):
    if isinstance(_value, _types.FunctionType) and _value.__module__ == _module.__name__:
        setattr(_module, _name, _does_nothing)
        _replaced += 1
    elif isinstance(_value, type) and _value.__module__ == _module.__name__:
        for _attr, _member in list(vars(_value).items()):
            if isinstance(_member, (_types.FunctionType, staticmethod, classmethod, property)):
                setattr(_value, _attr, _does_nothing)
                _replaced += 1
if not _replaced:
    for _name, _value in list(vars(_module).items()):
        if not _name.startswith("__") and not isinstance(_value, _types.ModuleType):
            setattr(_module, _name, object())
            _replaced += 1
assert _replaced, "nothing to replace in " + _module.__name__
"""


#: Run in a subprocess: importing the kit's checks here would fix their Hypothesis settings
#: to this process's default profile for every later in-process run of the suite.
SURVEY = """\
import importlib, json, sys, types
import pytest
from conformance.core.guard import kit_module_names
survey = {}
for name in kit_module_names():
    try:
        module = importlib.import_module(name)
    except (ImportError, pytest.skip.Exception):
        survey[name] = None
        continue
    # What the patcher can replace: every name the module binds but modules and dunders
    # (a package's re-exports too: the checks call reference.softmax).
    names = [n for n, v in vars(module).items()
             if not n.startswith("__") and not isinstance(v, types.ModuleType)]
    survey[name] = {"file": module.__file__, "replaceable": bool(names)}
json.dump(survey, sys.stdout)
"""


def _survey() -> dict[str, dict | None]:
    """Each kit module, found by the guard's own walk: its file and whether the patcher finds
    something in it to replace (None: it cannot be imported here)."""
    result = subprocess.run(
        [sys.executable, "-c", SURVEY], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def _docstring_or_dunder(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Expr):
        return isinstance(statement.value, ast.Constant)
    return isinstance(statement, ast.Assign) and all(
        isinstance(t, ast.Name) and t.id.startswith("__") for t in statement.targets
    )


SURVEYED = _survey()
MODULES = list(SURVEYED)
PATCHABLE = [n for n, m in SURVEYED.items() if m is not None and m["replaceable"]]


def test_the_walk_finds_every_module_of_the_kit() -> None:
    """The list is the tree: every .py file of conformance/ and reference/ but the __main__
    scripts, so no module is left out of the guard by a list kept by hand."""
    files = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for package in ("conformance", "reference")
        for p in (ROOT / package).rglob("*.py")
        if p.name != "__main__.py"
    }
    assert set(MODULES) == files


def test_only_empty_modules_are_left_out() -> None:
    """A module with nothing to replace holds no code: a package's __init__ with a docstring
    and dunders at most."""
    for name in (n for n in MODULES if n not in PATCHABLE):
        module = SURVEYED[name]
        assert module is not None, f"{name} cannot be imported here"
        body = ast.parse(Path(module["file"]).read_text()).body
        code = [s for s in body if not _docstring_or_dunder(s)]
        assert not code, f"{name} holds code but the patcher finds nothing to replace"
    assert len(PATCHABLE) >= 40


@pytest.mark.parametrize("module", PATCHABLE)
def test_replacing_a_kit_module_fails_the_run(module: str, tmp_path: Path) -> None:
    impl = tmp_path / "patcher.py"
    impl.write_text(PATCHER.format(module=module))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            # One small module of checks: every check fails once the guard has seen the patch.
            str(ROOT / "conformance" / "checks" / "test_has_names.py"),
            f"--rootdir={ROOT}",
            "-c",
            str(ROOT / "pyproject.toml"),
            f"--impl={impl}",
            "-q",
            "-p",
            "no:benchmark",
            "-p",
            "no:cacheprovider",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 1, out[-3000:]
    assert "passed" not in out.splitlines()[-1], out[-3000:]
    replaced = [line for line in out.splitlines() if "replaced" in line]
    assert replaced, out[-3000:]
    assert f"{module}." in replaced[0] or f"sys.modules[{module!r}]" in replaced[0], replaced[0]
