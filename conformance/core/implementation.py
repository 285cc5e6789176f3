"""The implementation under test, loaded once and injected as one namespace.

Checks use it as ``from conformance.core.implementation import impl as bp`` and call
``bp.softmax(z)``. A name the implementation lacks resolves to a stub that fails, when called,
only the checks that need it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conformance import adapters
from conformance.adapters.served import Served, built_in_worker, served
from conformance.contract import NAMES
from conformance.conventions import ADAPTS, ConventionError, Conventions, choose
from conformance.conventions.adapter import ContractModule, Unsupported
from conformance.core.guard import ImplExit

# Bound at import, before any implementation runs: one that replaces the notebook package's
# functions cannot change how it is loaded (and the guard names what it replaced).
from conformance.notebook import (
    SUMMARY_ATTR,
    NotebookError,
    is_notebook,
    load_notebook,
)
from conformance.notebook import where as located

REFERENCE = "reference"


class ImplementationError(Exception):
    """The --impl value cannot be loaded; the message is one line saying why and what to do."""


class _Missing:
    """Stands in for a contract name the implementation does not define."""

    def __init__(self, impl_name: str, name: str, adapts: str | None = None):
        self._impl_name, self._name, self._adapts = impl_name, name, adapts

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        if self._adapts is not None:
            raise outside_api(self._name, self._adapts)
        err = pytest.fail.Exception(
            f"{self._impl_name} defines no `{self._name}`, which this check needs "
            f"(see the contract in the README)",
            pytrace=False,
        )
        err.conformance_blame = self._name  # type: ignore[attr-defined]  # for the diagnosis
        raise err

    def __repr__(self) -> str:
        return f"<missing {self._name}>"


def outside_api(name: str, adapts: str) -> Unsupported:
    """The skip of a check that needs a contract name the adapted API does not have."""
    return Unsupported(f"`{name}` is not part of the adapted API ({adapts:.80})")


class Implementation:
    """Attribute access goes to the loaded module; missing contract names become stubs."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.module: ModuleType | None = None
        self.name = "(not loaded)"
        self.file = "?"
        self.import_line = "import reference as bp"
        self.missing: list[str] = []
        #: For a notebook, the line that says which cells' definitions were taken.
        self.notebook: str | None = None
        #: Set when importing the implementation replaced something the checks rely on.
        self.tampered: str | None = None
        #: In grading mode, the worker process that runs the implementation.
        self.remote: Any = None
        #: How the implementation differs from the contract on purpose (conformance.conventions).
        self.conventions = Conventions()
        #: Under an adapter, the user's code each contract name is built from (its API_NAMES):
        #: the diagnosis names it beside the contract's name.
        self.api_names: dict[str, str] = {}
        #: Under an adapter, the parts it builds itself (ADAPTER_BUILDS), with why: their
        #: checks would judge the adapter, so they are skipped.
        self.adapter_builds: dict[str, str] = {}
        #: In grading under --adapter: where the contract was built (the header and results).
        self.adapter_built = ""

    def load(
        self,
        spec: str | None,
        invocation_dir: Path,
        options: dict[str, Any] | None = None,
        imported: Callable[[], None] | None = None,
    ) -> None:
        """Import the implementation; ``options`` are the conventions' options (None: not
        given), e.g. {"layout": "rows"}. ``imported`` runs between the import and the
        adapting: the guard restores the kit there, so what an import replaced never runs."""
        self.module = _import(spec or REFERENCE, invocation_dir)
        self.name = spec or f"{REFERENCE} (default)"
        self.file = getattr(self.module, "__file__", None) or "?"
        self.import_line = _import_line(spec or REFERENCE, self.file)
        self.notebook = _summary(getattr(self.module, SUMMARY_ATTR, None))
        if imported is not None:
            imported()
        self._adapt(options or {}, invocation_dir, grading=False)
        self.missing = [n for n in NAMES if not hasattr(self.module, n)]

    def _adapt(self, options: dict[str, Any], invocation_dir: Path, grading: bool) -> None:
        """Apply --adapter (conformance.adapters) and choose the conventions; a module with
        its own is presented to the checks in the contract's terms (conventions.adapter)."""
        spec = options.get("adapter")
        try:
            if spec:
                adapter = adapters.load(spec, invocation_dir)
                if self.remote is not None and built_in_worker(self.remote, self.module):
                    self.module = served(adapter, self.module, spec, self.name)
                else:
                    self.module = adapters.apply(adapter, self.module, spec, self.name)
                named = spec if spec in adapters.SHIPPED else str(invocation_dir / spec)
                self.import_line += (
                    f"; from conformance.adapters import adapted; bp = adapted({named!r}, bp)"
                )
            # What an adapter the run named declares is the run's (the instructor's, in
            # grading), not the submission's: the header names the adapter as its source.
            declarer = f"the adapter {spec}" if spec else self.name
            self.conventions = choose(options, self.module, declarer, grading and not spec)
            if spec and self.remote is not None:
                # Where the grade's speed comes from: the instructor reads it in the header.
                where = (
                    "the worker built the network next to the submission; the grader's copy "
                    "decides what is checked"
                    if isinstance(self.module, Served)
                    else "built by the grader alone (the worker could not load or apply its "
                    "copy): every call a request"
                )
                self.adapter_built = f"{spec}: {where}"
                self.conventions.sources[ADAPTS] += f"; {where}"
        except (ConventionError, adapters.AdapterError) as err:
            raise ImplementationError(f"--impl={self.name}: {err}") from None
        if self.conventions.adapts is not None:
            self.api_names = adapters.declared_mapping(self.module, "API_NAMES")
            self.adapter_builds = adapters.declared_mapping(self.module, "ADAPTER_BUILDS")
        if not self.conventions.plain:
            self.module = ContractModule(self.module, self.conventions, self.name)

    @property
    def layout(self) -> str:
        return self.conventions.layout

    @property
    def own_module(self) -> Any:
        """The implementation's module itself, in its own layout."""
        return getattr(self.module, "_bp_module", self.module)

    def load_remote(
        self,
        spec: str | None,
        invocation_dir: Path,
        settings: Any,
        options: dict[str, Any] | None = None,
    ) -> None:
        """Grading mode: the implementation is imported only in a worker process; ``module``
        is a proxy to it. Raises ImplementationError for a path that is not there, and
        conformance.sandbox.remote.SubmissionError when the submission does not import."""
        from conformance.sandbox import remote as isolation

        spec = spec or REFERENCE
        if is_path(spec):
            path = _existing_file(spec, invocation_dir)
            settings.path, settings.module = str(path.resolve()), None
            settings.sys_path = [str(path.resolve().parent)]
            self.file = str(path.resolve())
        else:
            settings.path, settings.module = None, spec
            settings.sys_path = [str(invocation_dir)]
            self.file = spec
        self.name = spec if spec != REFERENCE else f"{REFERENCE} (default)"
        self.import_line = _import_line(spec, self.file)
        self.remote = isolation.Remote(settings)
        self.remote.start()
        self.module = isolation.RemoteModule(self.remote)
        if is_notebook(spec):
            # Only the header shows it: what the worker says it took from the notebook.
            try:
                said = self.remote.module_attribute(SUMMARY_ATTR)
            except Exception:  # the worker died since: the checks will say so
                said = None
            self.notebook = _summary(said)
        self._adapt(options or {}, invocation_dir, grading=True)
        self.missing = [n for n in NAMES if not hasattr(self.module, n)]

    def __getattr__(self, name: str) -> Any:
        module = self.__dict__.get("module")
        if module is None:
            raise RuntimeError("the conformance plugin has not loaded an implementation yet")
        try:
            return getattr(module, name)
        except AttributeError:
            if name in NAMES:
                return _Missing(self.name, name, self.conventions.adapts)
            raise


impl = Implementation()


def is_path(spec: str) -> bool:
    """--impl names a file (``hw3/net.py``, ``hw3.ipynb``) rather than a module (``hw3.net``)."""
    return spec.endswith(".py") or is_notebook(spec) or "/" in spec or "\\" in spec


def _summary(line: Any) -> str | None:
    """The notebook's header line, as one bounded line whatever the module put there."""
    if not isinstance(line, str):
        return None
    return " ".join(line.split())[:400]


def _import_line(spec: str, file: str) -> str:
    """How a reproduction snippet gets the implementation as ``bp``."""
    if is_notebook(file):
        return f"from conformance.notebook import load_notebook; bp = load_notebook({file!r})"
    if file.endswith(".py") and is_path(spec):
        path = Path(file)
        return f"import sys; sys.path.insert(0, {str(path.parent)!r}); import {path.stem} as bp"
    return f"import {spec} as bp"


def _existing_file(spec: str, invocation_dir: Path) -> Path:
    """The file --impl names (relative to where pytest was started); an error if it is not there."""
    path = Path(spec) if Path(spec).is_absolute() else invocation_dir / spec
    if not path.is_file():
        raise ImplementationError(
            f"--impl={spec}: no such file ({path}); give a path to a .py file or a "
            f"notebook, or the name of an importable module"
        )
    return path


def _import(spec: str, invocation_dir: Path) -> ModuleType:
    """Import ``spec``: a ``.py`` file path (relative to where pytest was started) or a module."""
    if is_path(spec):
        path = _existing_file(spec, invocation_dir)
        if is_notebook(path):
            return _run_import(spec, lambda: _import_notebook(path))
        return _run_import(spec, lambda: _import_file(path))
    # Like `python -m`, let a module beside the user's shell be found.
    if str(invocation_dir) not in sys.path:
        sys.path.insert(0, str(invocation_dir))
    try:
        found = importlib.util.find_spec(spec)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise ImplementationError(
            f"--impl={spec}: no module named {spec!r} on the path "
            f"(started in {invocation_dir}); give a path to a .py file or an importable module"
        )
    return _run_import(spec, lambda: importlib.import_module(spec))


def _import_file(path: Path) -> ModuleType:
    # A fixed module name keyed on the path: the same file imported twice is one module,
    # and a file named like a stdlib module (e.g. `random.py`) cannot shadow it.
    name = "impl_under_test_" + "".join(c if c.isalnum() else "_" for c in path.stem)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImplementationError(f"--impl={path}: cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    # Let the file import its own siblings.
    sys.path.insert(0, str(path.parent))
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _import_notebook(path: Path) -> ModuleType:
    sys.path.insert(0, str(path.parent))  # as Jupyter runs it: beside its own modules
    return load_notebook(path)


def _run_import(spec: str, do_import: Any) -> ModuleType:
    try:
        return do_import()
    except ImplementationError:
        raise
    except NotebookError as err:
        raise ImplementationError(f"--impl={spec}: {err}") from None
    except SyntaxError as err:
        raise ImplementationError(
            f"--impl={spec}: syntax error at {located(err.filename, err.lineno)}: {err.msg}"
        ) from err
    except ImplExit as err:
        raise ImplementationError(f"--impl={spec}: while importing, {err}") from None
    except (Exception, SystemExit) as err:  # sys.exit() at import is a bug too
        where = traceback.extract_tb(err.__traceback__)[-1]
        raise ImplementationError(
            f"--impl={spec}: importing it raised {type(err).__name__}: {err} "
            f"(at {located(where.filename, where.lineno)}); fix the module so it "
            "imports cleanly"
        ) from err
