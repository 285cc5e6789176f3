"""Grading with a shipped adapter: the contract built twice, for two purposes.

The worker builds it next to the submission (``sandbox/worker.py``), so that every call of a
network is one request and its loops run there, as for a submission that is one class. The
grader builds it too, from the same adapter, on the submission's module through its proxy:
that copy is the one whose declarations decide what is checked and skipped (ADAPTS, the
conventions, ADAPTER_BUILDS) and whose LAYERS are checked, so nothing that decides a grade is
read from the sandbox. Only the contract's callables are the worker's, read afresh at every use
(a worker that died and was started again has built them again).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from conformance.adapters import apply
from conformance.contract import NAMES

#: The attribute of the worker's adapted namespace holding the submission's own module
#: (sandbox/worker.py's ADAPTED_CODE; that file cannot be imported here).
ADAPTED_CODE = "ADAPTED_CODE"


class LiveCode:
    """The submission's module, through the worker's adapted namespace, read afresh."""

    def __init__(self, served: Any):
        self._served = served

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return getattr(getattr(self._served, ADAPTED_CODE), name)

    def __repr__(self) -> str:
        return "<submission module in the grading worker>"


class Served:
    """The grader's adapted namespace, with the worker's contract callables."""

    def __init__(self, trusted: Any, served: Any):
        self._trusted, self._served = trusted, served
        self._callables = {n for n in NAMES if n in vars(trusted)}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._callables:
            return getattr(self._served, name)
        return getattr(self._trusted, name)

    def __repr__(self) -> str:
        return f"{self._trusted!r} (its network built in the grading worker)"


def built_in_worker(remote: Any, module: Any) -> bool:
    """Whether the worker built the contract (it leaves a module its copy of the adapter
    cannot load or adapt as it is, for the grader to adapt and explain)."""
    if not remote.settings.adapter:
        return False
    try:
        getattr(module, ADAPTED_CODE)
    except Exception:  # AttributeError, or the worker died: the grader adapts (and says so)
        return False
    return True


def served(adapter: ModuleType, module: Any, spec: str, name: str) -> Served:
    """``module`` is the worker's adapted namespace (a proxy); the result holds the grader's."""
    return Served(apply(adapter, LiveCode(module), spec, name), module)
