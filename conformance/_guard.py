"""Keeping an implementation that runs in the pytest process from switching the checks off.

This is not a sandbox (see the README, "Trust"). It catches the cheap tricks: replacing
functions of numpy, math, builtins, pytest, Hypothesis, the reference or the kit itself,
swapping their entries in ``sys.modules``, and ending the process with ``os._exit(0)`` so that
the run reports success. Each is undone and fails the check during which it happened.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import Any, NoReturn

#: The modules whose functions the checks call. Internal modules of pytest and Hypothesis are
#: left out: they rebind their own globals while tests run.
WATCHED = {
    "numpy",
    "numpy.linalg",
    "math",
    "builtins",
    "pytest",
    "_pytest.outcomes",
    "hypothesis",
    "hypothesis.strategies",
    "hypothesis.extra.numpy",
}
#: ... and every module of these packages.
WATCHED_PACKAGES = ("reference", "conformance")
#: Names whose values legitimately change while tests run. Lazily imported submodules are
#: added, never replaced, so they are not reported at all.
IGNORED = {("builtins", "_")}


class ImplExit(BaseException):
    """The implementation tried to end the process; a BaseException so nothing swallows it."""


def _refuse_exit(status: int = 0) -> NoReturn:
    raise ImplExit(
        f"the implementation called os._exit({status}): ending the process from "
        "inside a check is not allowed"
    )


class Guard:
    def __init__(self) -> None:
        self.modules: dict[str, ModuleType] = {}
        self.attributes: dict[str, dict[str, Any]] = {}
        self.exits: list[tuple[ModuleType, Any]] = []

    def arm(self) -> None:
        """Remember the watched modules as they are now, and refuse os._exit from now on."""
        for name, module in list(sys.modules.items()):
            watched = name in WATCHED or name.split(".")[0] in WATCHED_PACKAGES
            if isinstance(module, ModuleType) and watched:
                self.modules[name] = module
                self.attributes[name] = dict(vars(module))
        for module in (os, sys.modules.get("posix")):
            if module is not None and not self.exits_patched(module):
                self.exits.append((module, module._exit))
                module._exit = _refuse_exit  # type: ignore[assignment]

    @staticmethod
    def exits_patched(module: ModuleType) -> bool:
        return getattr(module, "_exit", None) is _refuse_exit

    def disarm(self) -> None:
        for module, original in self.exits:
            module._exit = original
        self.exits.clear()
        self.modules.clear()
        self.attributes.clear()

    def check_and_restore(self) -> list[str]:
        """What was replaced since arm(), each put back; [] when nothing was touched."""
        changes = []
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                changes.append(f"sys.modules[{name!r}]")
                sys.modules[name] = module
            current = vars(module)
            for key, value in self.attributes[name].items():
                if (name, key) in IGNORED:
                    continue
                now = current.get(key, _MISSING)
                if now is value or (
                    # A submodule imported again (pytester, importlib.reload) is no tampering.
                    isinstance(now, ModuleType) and sys.modules.get(f"{name}.{key}") is now
                ):
                    continue
                changes.append(f"{name}.{key}")
                setattr(module, key, value)
        for module, _ in self.exits:
            if not self.exits_patched(module):
                changes.append(f"{module.__name__}._exit")
                module._exit = _refuse_exit  # type: ignore[assignment]
        return changes


_MISSING = object()
guard = Guard()
